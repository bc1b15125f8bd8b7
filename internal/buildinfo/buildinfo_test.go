package buildinfo

import (
	"regexp"
	"testing"
)

// TestVersion: a test binary has no module version and no VCS stamp, so
// it is "devel", or the link-time version when one is set; never Go's
// "(devel)".
func TestVersion(t *testing.T) {
	if v := Version(); !regexp.MustCompile(`^devel(\+[0-9a-f]{1,12}(-dirty)?)?$`).MatchString(v) {
		t.Errorf("Version() = %q", v)
	}
	defer func(v string) { version = v }(version)
	version = "v9.9.9"
	if v := Version(); v != "v9.9.9" {
		t.Errorf("with -X: %q", v)
	}
}

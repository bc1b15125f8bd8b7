package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// Chromium returns the path of a headless-capable Chromium: $SOAK_CHROMIUM,
// else Debian's /usr/bin/chromium (installed by .ci/chromium), else
// "chromium" on PATH. Without one it skips t, or fails it when
// SOAK_REQUIRE_SERVICES=1.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("SOAK_CHROMIUM"), "/usr/bin/chromium", "chromium"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	msg := "headless Chromium not found: run .ci/chromium (or set SOAK_CHROMIUM)"
	if Required() {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

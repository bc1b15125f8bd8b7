package guide_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestProbeVersions checks docs/probe.md's table of the versions that
// requiring soak imposes on a service against go.mod: every module and
// version the table names is soak's requirement, so the page cannot
// promise an older pgx or echo than a service will get.
func TestProbeVersions(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	required := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s*(\S+) (v\S+)`).FindAllStringSubmatch(string(mod), -1) {
		required[m[1]] = m[2]
	}
	goLine := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(string(mod))
	page, err := os.ReadFile(filepath.Join(root, "docs", "probe.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(page), "### What importing the probe requires")
	if !ok || goLine == nil {
		t.Fatal("docs/probe.md has no section on the versions the probe requires, or go.mod no go line")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	if !strings.Contains(section, "Go "+goLine[1]) {
		t.Errorf("docs/probe.md: the section does not say Go %s", goLine[1])
	}
	rows := 0
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != 5 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		modules := regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(cells[1], -1)
		versions := strings.Split(strings.TrimSpace(cells[2]), ", ")
		if len(modules) != len(versions) {
			t.Errorf("docs/probe.md: row %q: %d modules, %d versions", line, len(modules), len(versions))
			continue
		}
		for i, m := range modules {
			rows++
			if got := required[m[1]]; got != versions[i] {
				t.Errorf("docs/probe.md says %s %s; go.mod requires %q", m[1], versions[i], got)
			}
		}
	}
	if rows < 5 {
		t.Errorf("only %d modules checked: has the table's format changed?", rows)
	}
}

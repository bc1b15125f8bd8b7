package guide_test

import (
	"go/build"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/soaklab/soak/"

// TestArchitectureImports checks docs/architecture.md's package table
// against the code: for every row naming packages, the soak packages
// they import (non-test files) are the ones the row lists, so the page
// cannot drift from `go list`.
func TestArchitectureImports(t *testing.T) {
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile("`([a-z0-9/]+)`")
	rows := 0
	for _, line := range strings.Split(string(page), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != 5 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue // not a row of the package table
		}
		imports := strings.TrimSpace(cells[3])
		if imports == "everything" || imports == "" {
			continue
		}
		var want []string
		if imports != "none" {
			for _, m := range code.FindAllStringSubmatch(imports, -1) {
				want = append(want, m[1])
			}
		}
		var got []string
		for _, m := range code.FindAllStringSubmatch(cells[1], -1) {
			pkg := m[1]
			bp, err := build.ImportDir(filepath.Join(root, pkg), 0)
			if err != nil {
				t.Errorf("architecture.md: %s: %v", pkg, err)
				continue
			}
			for _, imp := range bp.Imports {
				if p, ok := strings.CutPrefix(imp, module); ok && !slices.Contains(got, p) {
					got = append(got, p)
				}
			}
		}
		rows++
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("architecture.md: %s imports %v, the table says %v", strings.TrimSpace(cells[1]), got, want)
		}
	}
	if rows < 10 {
		t.Errorf("only %d rows of the package table checked: has its format changed?", rows)
	}
}

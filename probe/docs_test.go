package probe_test

import (
	"os"
	"strings"
	"testing"
)

// TestDocSnippets keeps docs/probe.md honest: every line of its Go
// snippets must appear in an Example file of this package, which compiles.
func TestDocSnippets(t *testing.T) {
	doc, err := os.ReadFile("../docs/probe.md")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, f := range []string{"wiring_example_test.go", "example_test.go", "options_example_test.go", "integration_example_test.go", "pgxprobe/verify_test.go"} {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(src), "\n") {
			have[strings.TrimSpace(l)] = true
		}
	}
	blocks := strings.Split(string(doc), "```go\n")
	if len(blocks) < 2 {
		t.Fatal("docs/probe.md has no Go snippet")
	}
	for i, b := range blocks[1:] {
		code, _, _ := strings.Cut(b, "```")
		for _, l := range strings.Split(code, "\n") {
			if l = strings.TrimSpace(l); l != "" && !have[l] {
				t.Errorf("snippet %d of docs/probe.md: %q is not in an example file", i+1, l)
			}
		}
	}
}

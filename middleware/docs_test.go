package middleware

import (
	"os"
	"strings"
	"testing"
)

// TestDocSnippets keeps docs/middleware.md honest: every line of its Go
// snippets must appear in example_test.go here or in echoprobe, whose
// Example functions compile and run.
func TestDocSnippets(t *testing.T) {
	doc, err := os.ReadFile("../docs/middleware.md")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, f := range []string{"example_test.go", "echoprobe/example_test.go"} {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(src), "\n") {
			have[strings.TrimSpace(l)] = true
		}
	}
	blocks := strings.Split(string(doc), "```go\n")
	if len(blocks) < 3 {
		t.Fatalf("docs/middleware.md has %d Go snippets, want the echo and net/http wiring", len(blocks)-1)
	}
	for i, b := range blocks[1:] {
		code, _, _ := strings.Cut(b, "```")
		for _, l := range strings.Split(code, "\n") {
			if l = strings.TrimSpace(l); l != "" && !have[l] {
				t.Errorf("snippet %d of docs/middleware.md: %q is not in an example file", i+1, l)
			}
		}
	}
}

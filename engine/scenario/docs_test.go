package scenario

import (
	"os"
	"strings"
	"testing"
)

// TestReferenceExamples parses every complete scenario (a YAML block with
// classes:) in docs/scenarios.md, so that the reference cannot drift from
// the parser.
func TestReferenceExamples(t *testing.T) {
	md, err := os.ReadFile("../../docs/scenarios.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := 0
	for _, part := range strings.Split(string(md), "```yaml\n")[1:] {
		block, _, _ := strings.Cut(part, "```")
		if !strings.Contains(block, "classes:") {
			continue
		}
		blocks++
		mustLoad(t, block, map[string]string{"accounts.csv": "username,password\nuser0001,soak-demo\n"})
	}
	if blocks == 0 {
		t.Fatal("no complete scenario in docs/scenarios.md")
	}
}

package bounds

import (
	"context"
	"strings"
	"testing"
)

// TestPrescanCountsNoScalarContent: brackets, colons and quotes inside
// quoted, block and plain scalars, templates and comments are text, not
// structure.
func TestPrescanCountsNoScalarContent(t *testing.T) {
	deep := strings.Repeat("[", 150)
	src := "# " + deep + "\n" +
		"description: |\n  " + deep + "\n  - - - - x: y\n" +
		"name: a " + deep + " b\n" +
		"host: '" + deep + "'\n" +
		"headers:\n  X-A: \"" + deep + " \\\" {\"\n  X-B: plain text\n    continued " + deep + "\n" +
		"classes:\n  - name: A\n    tasks:\n      - get: /x/{{user.id}}/{{random_int(1, 5)}}\n"
	if p, err := Prescan(context.Background(), []byte(src)); p != nil || err != nil {
		t.Fatalf("Prescan = %v, %v", p, err)
	}
}

// FuzzPrescan feeds arbitrary bytes to Prescan: it never panics, and a
// bound it reports crossed is placed at a line and column of the input.
func FuzzPrescan(f *testing.F) {
	for _, s := range []string{
		"classes:\n  - name: A\n    tasks: [{get: /x}]\n",
		"a: " + strings.Repeat("[", 150) + strings.Repeat("]", 150) + "\n",
		strings.Repeat("- ", 150) + "x\n",
		"h:\n" + strings.Repeat("  k: v\n", MaxBlockKeys+1),
		"d: |\n  [[[\nn: 'it''s [' # [\nh: \"\\\" {\"\n",
		"\xef\xbb\xbf--- &a !t *b\n...\n%YAML 1.2\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Prescan(context.Background(), data)
		if err != nil {
			t.Fatal(err)
		}
		if c != nil && (c.Line < 1 || c.Column < 1 || c.Line > strings.Count(string(data), "\n")+1 || c.Msg == "") {
			t.Fatalf("crossing %+v", c)
		}
	})
}

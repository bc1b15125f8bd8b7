package main

import (
	"strings"
	"testing"
)

// FuzzParsePage: any text parses without panicking, and every block lies
// within the page: its fence line exists and its text is made of the
// page's lines.
func FuzzParsePage(f *testing.F) {
	f.Add(samplePage)
	f.Add("<!-- doc-check: sub a => b -->\n```sh\necho a\n```\n")
	f.Add("   ````go\n   x\n  ````\n~~~\n")
	f.Add("<!-- doc-check: expect [ -->\n<!-- doc-check: exit 999 -->\n")
	f.Add("# h\n[a](b(c)d) [e](<f g>) <a id=\"x\"> ![i](j \"k\")\n[ref]: <l>\n")
	f.Fuzz(func(t *testing.T, src string) {
		p := ParsePage("f.md", src)
		n := strings.Count(src, "\n") + 1
		for _, b := range p.Blocks {
			if b.Line < 1 || b.Line > n {
				t.Fatalf("block at line %d of a %d-line page", b.Line, n)
			}
			for _, l := range strings.Split(strings.TrimSuffix(b.Text, "\n"), "\n") {
				if l != "" && !strings.Contains(src, l) {
					t.Fatalf("block line %q is not in the page", l)
				}
			}
			for _, d := range b.Directives {
				if _, ok := directiveUsage[d.Kind]; !ok {
					t.Fatalf("directive of unknown kind %q accepted", d.Kind)
				}
			}
		}
		for _, l := range p.Links {
			if l.Line < 1 || l.Line > n {
				t.Fatalf("link at line %d of a %d-line page", l.Line, n)
			}
		}
		for a := range p.Anchors {
			if Slug(a) != a && !strings.Contains(src, a) {
				t.Fatalf("anchor %q is neither a slug nor in the page", a)
			}
		}
	})
}

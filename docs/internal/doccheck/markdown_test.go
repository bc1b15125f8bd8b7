package main

import (
	"errors"
	"strings"
	"testing"
)

const samplePage = "# Title\n" +
	"\n" +
	"See [the CLI](cli.md#soak-run) and ![a chart](img/c.svg \"title\").\n" +
	"Not a link: `[x](nowhere.md)`.\n" +
	"\n" +
	"<!-- doc-check: sub 30m => 5s -->\n" +
	"<!-- doc-check: exit 3 -->\n" +
	"```sh\n" +
	"soak run -t 30m\n" +
	"```\n" +
	"\n" +
	"## Title\n" +
	"\n" +
	"1. a list item:\n" +
	"   ```go\n" +
	"   x := 1\n" +
	"   ```\n" +
	"~~~~text\n" +
	"```\n" +
	"inner\n" +
	"~~~~\n" +
	"[ref]: ../README.md\n" +
	"<a id=\"custom\"></a>\n"

func TestParsePage(t *testing.T) {
	p := ParsePage("docs/x.md", samplePage)
	if len(p.Errs) > 0 {
		t.Fatalf("errors: %v", p.Errs)
	}
	want := []struct {
		line       int
		lang, text string
		directives int
	}{
		{8, "sh", "soak run -t 30m\n", 2},
		{15, "go", "x := 1\n", 0},
		{18, "text", "```\ninner\n", 0},
	}
	if len(p.Blocks) != len(want) {
		t.Fatalf("%d blocks, want %d: %+v", len(p.Blocks), len(want), p.Blocks)
	}
	for i, w := range want {
		b := p.Blocks[i]
		if b.Line != w.line || b.Lang != w.lang || b.Text != w.text || len(b.Directives) != w.directives {
			t.Errorf("block %d = line %d %q %q %d directives, want %+v", i, b.Line, b.Lang, b.Text, len(b.Directives), w)
		}
	}
	if d := p.Blocks[0].Directive("sub"); d == nil || d.Old != "30m" || d.New != "5s" {
		t.Errorf("sub directive = %+v", d)
	}
	if d := p.Blocks[0].Directive("exit"); d == nil || d.Exit != 3 {
		t.Errorf("exit directive = %+v", d)
	}
	var dests []string
	for _, l := range p.Links {
		dests = append(dests, l.Dest)
	}
	if got := strings.Join(dests, " "); got != "cli.md#soak-run img/c.svg ../README.md" {
		t.Errorf("links = %q", got)
	}
	for _, a := range []string{"title", "title-1", "custom"} {
		if !p.Anchors[a] {
			t.Errorf("anchor %q missing from %v", a, p.Anchors)
		}
	}
}

func TestParsePageErrors(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"unclosed", "```sh\nls\n", "docs/x.md:1: code fence ``` is never closed"},
		{"orphan", "<!-- doc-check: skip why -->\ntext\n", "docs/x.md:1: doc-check directive not directly above a code fence"},
		{"at end", "<!-- doc-check: skip why -->\n", "docs/x.md:1: doc-check directive at the end of the page"},
		{"unknown kind", "<!-- doc-check: skipp why -->\n```sh\n```\n", `unknown kind "skipp"`},
		{"no reason", "<!-- doc-check: skip -->\n```sh\n```\n", `"skip" needs an argument`},
		{"bad exit", "<!-- doc-check: exit three -->\n```sh\n```\n", `exit "three": want a status 0..255`},
		{"bad sub", "<!-- doc-check: sub 30m -->\n```sh\n```\n", `want OLD => NEW`},
		{"bad regexp", "<!-- doc-check: expect ( -->\n```sh\n```\n", `expect: error parsing regexp`},
		{"remote background", "<!-- doc-check: background http://example.com/ -->\n```sh\n```\n", `want a loopback http:// URL`},
		{"bad yaml kind", "<!-- doc-check: yaml fragment -->\n```yaml\n```\n", `want scenario, request or top`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ParsePage("docs/x.md", tc.src)
			if len(p.Errs) == 0 {
				t.Fatalf("no error, want %q", tc.want)
			}
			if got := p.Errs[0].Error(); !strings.Contains(got, tc.want) {
				t.Errorf("error %q, want it to contain %q", got, tc.want)
			}
		})
	}
	p := ParsePage("docs/x.md", "<!-- doc-check: nope x -->\n```sh\n```\n")
	if !errors.Is(p.Errs[0], errDirective) {
		t.Errorf("%v is not errDirective", p.Errs[0])
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"soak run":                               "soak-run",
		"Ctrl-C, kill and the results directory": "ctrl-c-kill-and-the-results-directory",
		"`soak report DIR`":                      "soak-report-dir",
		"Open vs. closed: who lies?":             "open-vs-closed-who-lies",
		"[Link](x.md) text":                      "link-text",
		"snake_case & Ünïcode":                   "snake_case--ünïcode",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsExternal(t *testing.T) {
	for dest, want := range map[string]bool{
		"https://github.com/x": true, "mailto:a@b": true, "//cdn/x": true,
		"cli.md": false, "../README.md#x": false, "#anchor": false, "a/b:c.md": false,
	} {
		if got := isExternal(dest); got != want {
			t.Errorf("isExternal(%q) = %v", dest, got)
		}
	}
}

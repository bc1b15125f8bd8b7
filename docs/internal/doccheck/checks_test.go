package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// writeTree writes files (slash paths) under a new temporary directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestCheckLinks(t *testing.T) {
	root := writeTree(t, map[string]string{
		"README.md":         "[guide](docs/README.md) [gone](docs/gone.md)\n",
		"docs/README.md":    "# Guide\n[cli](cli.md#soak-run) [bad anchor](cli.md#nope) [self](#guide) [dir](scenarios/) [up](../README.md)\n[out](../../x.md) [abs](/docs/cli.md) [web](https://example.com/x.md)\n```sh\n[not](a-link.md)\n```\n",
		"docs/cli.md":       "## soak run\n",
		"docs/scenarios/a":  "",
		"docs/other/img.md": "",
	})
	pages := map[string]*Page{}
	for _, rel := range []string{"README.md", "docs/README.md"} {
		src, _ := os.ReadFile(filepath.Join(root, rel))
		pages[rel] = ParsePage(rel, string(src))
	}
	var got []string
	for _, err := range CheckLinks(root, pages) {
		got = append(got, err.Error())
	}
	want := []string{
		`README.md:1: link "docs/gone.md": docs/gone.md does not exist`,
		`docs/README.md:2: link "cli.md#nope": docs/cli.md has no heading with anchor #nope`,
		`docs/README.md:3: link "../../x.md": leaves the repository`,
		`docs/README.md:3: link "/docs/cli.md": an absolute path breaks outside GitHub; use a relative one`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestGoIndexFind(t *testing.T) {
	root := writeTree(t, map[string]string{
		"a/a_test.go": `package a

func ExampleWiring() {
	p := probe.New(probe.WithToken("x")) // a comment
	if p == nil {
		return
	}
	defer p.Close()
	e.Use(mw(p))
}
`,
		"a/ignored.go":      "//go:build ignore\n\npackage a\n\nfunc only() { secret := 1 }\n",
		"a/testdata/x.go":   "package x\n\nfunc hidden() { hidden := 2 }\n",
		"a/broken.go":       "package a\n\nfunc broken( {\n",
		"a/decls_test.go":   "package a\n\nfunc One() {}\n\nfunc Two() {}\n",
		".hidden/h/h.go":    "package h\n\nfunc h() { h := 3 }\n",
		"b/notgo/readme.md": "x := 1",
	})
	idx, err := IndexGo(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ fragment, where, err string }{
		{"p := probe.New(probe.WithToken(\"x\"))\ndefer p.Close()\n", "a/a_test.go:3 ExampleWiring", ""},
		{"p := probe.New( probe.WithToken( \"x\" ) ) // other words\n\n// only a comment\ne.Use(mw(p))\n", "a/a_test.go:3 ExampleWiring", ""},
		{"func One() {}\nfunc Two() {}\n", "a/decls_test.go", ""},
		{"defer p.Close()\np := probe.New(probe.WithToken(\"x\"))\n", "", "closest: a/a_test.go:3 ExampleWiring, which lacks line 2: p := probe . New"},
		{"secret := 1\n", "", "no function of the module holds this fragment"},
		{"hidden := 2\n", "", "no function"},
		{"h := 3\n", "", "no function"},
		{"// nothing\n", "", "the Go block has no code"},
	} {
		where, err := idx.Find(tc.fragment)
		switch {
		case tc.err == "" && (err != nil || where != tc.where):
			t.Errorf("Find(%q) = %q, %v; want %q", tc.fragment, where, err, tc.where)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("Find(%q) = %q, %v; want an error with %q", tc.fragment, where, err, tc.err)
		}
	}
}

func TestCompileFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles with the go command")
	}
	root := repoRoot(t)
	good := &Block{File: "docs/x.md", Line: 3, Lang: "go", Text: "package main\n\nimport \"github.com/soaklab/soak/probe\"\n\nfunc main() { _ = probe.New() }\n"}
	goodTest := &Block{File: "docs/x.md", Line: 9, Lang: "go", Text: "package x_test\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) {}\n"}
	bad := &Block{File: "docs/x.md", Line: 20, Lang: "go", Text: "package main\n\nfunc main() { var n int = \"x\" }\n"}
	errs := CompileFiles(root, []*Block{good, goodTest, bad})
	if len(errs) != 1 {
		t.Fatalf("errors %v, want one, for the bad block", errs)
	}
	if msg := errs[0].Error(); !strings.HasPrefix(msg, "docs/x.md:20: go block does not compile:") || !strings.Contains(msg, "cannot use \"x\"") {
		t.Errorf("error = %q", msg)
	}
	if _, err := os.Stat(filepath.Join(root, "docs", "internal", "doccheck", "snippet0")); err == nil {
		t.Error("CompileFiles wrote into the tree")
	}
}

func TestCheckYAML(t *testing.T) {
	root := repoRoot(t)
	for _, tc := range []struct {
		name, kind, text, err string
	}{
		{"scenario", "", "host: http://127.0.0.1:8000\nload: {users: 2}\nduration: 10s\nclasses:\n  - name: A\n    tasks:\n      - get: /health\n", ""},
		{"scenario without load", "scenario", "classes:\n  - name: A\n    tasks:\n      - get: /health\n", ""},
		{"request", "request", "check:\n  - json: $.status\n    equals: \"{{accounts.username}}\"\ncapture: {slug: $.slug}\n", ""},
		{"top", "top", "data:\n  terms: {pick: [a, b]}\n", ""},
		{"unknown field", "", "hosts: x\nclasses: []\n", `unknown field "hosts"`},
		{"bad template", "request", "headers: {X: \"{{nope}}\"}\n", "nope"},
		{"bad request field", "request", "chek: {}\n", `unknown field "chek"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &Block{File: "docs/x.md", Line: 7, Lang: "yaml", Text: tc.text}
			if tc.kind != "" {
				b.Directives = []Directive{{Kind: "yaml", Args: tc.kind}}
			}
			err := CheckYAML(root, b)
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("error %v, want one with %q", err, tc.err)
			case err != nil && !strings.HasPrefix(err.Error(), "docs/x.md:7: "):
				t.Errorf("error %q does not name the block", err)
			}
		})
	}
}

func TestCheckJSONFileShell(t *testing.T) {
	root := writeTree(t, map[string]string{"docs/fix.patch": "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old   \n+new\n"})
	ok := func(err error) {
		t.Helper()
		if err != nil {
			t.Error(err)
		}
	}
	fails := func(err error, want string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want one with %q", err, want)
		}
	}
	ok(CheckJSON(&Block{Text: `{"a": [1, 2]}`}))
	fails(CheckJSON(&Block{File: "d.md", Line: 2, Text: `{"a": }`}), "d.md:2: json block is not valid JSON")
	file := []Directive{{Kind: "file", Args: "docs/fix.patch"}}
	ok(CheckFile(root, &Block{Text: "@@ -1 +1 @@\n-old\n+new\n", Directives: file}))
	fails(CheckFile(root, &Block{File: "d.md", Line: 4, Text: "-old\n+newer\n", Directives: file}), "not a verbatim excerpt of docs/fix.patch")
	fails(CheckFile(root, &Block{Text: "x\n", Directives: []Directive{{Kind: "file", Args: "docs/none"}}}), "file directive")
	if _, err := exec.LookPath("python3"); err == nil {
		ok(CheckPythonSyntax(&Block{Text: "class U:\n    def f(self):\n        pass\n"}))
		fails(CheckPythonSyntax(&Block{File: "d.md", Line: 5, Text: "class U:\npass\n"}), "d.md:5: python block does not parse")
	} else {
		fails(CheckPythonSyntax(&Block{File: "d.md", Line: 5, Text: "x = 1\n"}), "python3 is needed")
	}
	ok(CheckShellSyntax(&Block{Text: "for f in *; do echo \"$f\"; done\n"}))
	fails(CheckShellSyntax(&Block{File: "d.md", Line: 9, Text: "if then fi\n"}), "d.md:9: shell block does not parse")
}

func TestRunCommand(t *testing.T) {
	good := writeTree(t, map[string]string{
		"go.mod":         "module example.com/x\n",
		"README.md":      "[guide](docs/README.md)\n",
		"docs/README.md": "# Guide\n\n```text\nnot code\n```\n\n<!-- doc-check: skip why -->\n```sh\nexit 1\n```\n",
	})
	bad := writeTree(t, map[string]string{
		"go.mod":         "module example.com/x\n",
		"README.md":      "",
		"docs/README.md": "[gone](gone.md)\n```\nuntagged\n```\n",
	})
	t.Setenv("DOCCHECK", "1") // as inside a shell block of the guide
	var stderr strings.Builder
	if code := run([]string{"-root", good, "-run"}, io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), "would run the guide again") {
		t.Errorf("nested run: %d, %q", code, stderr.String())
	}
	t.Setenv("DOCCHECK", "")
	for _, tc := range []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"-root", good}, 0, "1 skipped", ""},
		{[]string{"-root", bad}, 1, "", "docs/gone.md does not exist"},
		{[]string{"-root", bad}, 1, "", "untagged code block"},
		{[]string{"-nope"}, 2, "", "flag provided but not defined"},
		{[]string{"-page", "[", "-root", good}, 2, "", "syntax error in pattern"},
		{[]string{"-root", good, "-run", "-page", "docs/none.md"}, 1, "", "matches no page with shell blocks"},
	} {
		var stdout, stderr strings.Builder
		code := run(tc.args, &stdout, &stderr)
		if code != tc.code || !strings.Contains(stdout.String(), tc.out) || !strings.Contains(stderr.String(), tc.err) {
			t.Errorf("run(%q) = %d\nstdout: %s\nstderr: %s\nwant %d, %q, %q", tc.args, code, stdout.String(), stderr.String(), tc.code, tc.out, tc.err)
		}
	}
}

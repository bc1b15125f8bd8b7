package main

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Guide is the parsed user guide: every Markdown page under docs/, plus
// the pages whose links are checked too (README.md).
type Guide struct {
	Root  string
	Pages map[string]*Page // by slash path from Root
	Docs  []string         // the pages whose code blocks are checked, sorted
}

// linkOnly are pages outside docs/ whose links are checked, not their code.
var linkOnly = []string{"README.md"}

// LoadGuide parses docs/**/*.md and the link-only pages under root.
func LoadGuide(root string) (*Guide, error) {
	g := &Guide{Root: root, Pages: map[string]*Page{}}
	add := func(rel string) error {
		src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		g.Pages[rel] = ParsePage(rel, string(src))
		return nil
	}
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".md") {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		g.Docs = append(g.Docs, rel)
		return add(rel)
	})
	if err != nil {
		return nil, err
	}
	for _, rel := range linkOnly {
		if err := add(rel); err != nil {
			return nil, err
		}
	}
	sort.Strings(g.Docs)
	return g, nil
}

// Blocks returns the code blocks of the checked pages, in page order.
func (g *Guide) Blocks() []*Block {
	var out []*Block
	for _, rel := range g.Docs {
		p := g.Pages[rel]
		for i := range p.Blocks {
			out = append(out, &p.Blocks[i])
		}
	}
	return out
}

// Report counts what the static check did.
type Report struct {
	Checked map[string]int // by kind: "go (in an example)", "yaml", "sh (syntax)", ...
	Skipped []string       // "docs/x.md:12: reason"
	Shell   map[string][]*Block
}

// shellOnly are the directives that only make sense on a shell block.
var shellOnly = []string{"background", "exit", "sub", "expect"}

// Check runs every check that needs no service: the pages parse, every
// relative link resolves, and every code block is checked by its kind.
// Shell blocks are only parsed here (bash -n); Runner runs them.
func (g *Guide) Check() (*Report, []error) {
	rep := &Report{Checked: map[string]int{}, Shell: map[string][]*Block{}}
	var errs []error
	for _, rel := range slices.Sorted(maps.Keys(g.Pages)) {
		errs = append(errs, g.Pages[rel].Errs...)
	}
	errs = append(errs, CheckLinks(g.Root, g.Pages)...)
	idx, err := IndexGo(g.Root)
	if err != nil {
		return rep, append(errs, err)
	}
	var files []*Block
	for _, b := range g.Blocks() {
		if d := b.Directive("skip"); d != nil {
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("%s: %s", b.Where(), d.Args))
			continue
		}
		if err := misplaced(b); err != nil {
			errs = append(errs, err)
			continue
		}
		if b.Has("file") {
			// An excerpt is checked against its file, which is checked
			// as a whole elsewhere (a scenario by its tests, a patch by
			// the shell block that applies it).
			if isShell(b.Lang) || b.Lang == "go" {
				errs = append(errs, fmt.Errorf("%s: a %s block is checked as code, not as an excerpt: drop the file directive", b.Where(), b.Lang))
			} else if err := CheckFile(g.Root, b); err != nil {
				errs = append(errs, err)
			}
			rep.Checked["excerpt of a file"]++
			continue
		}
		switch {
		case b.Lang == "":
			errs = append(errs, fmt.Errorf("%s: untagged code block: tag it (sh, go, yaml, json, text, ...) so the check knows what it is", b.Where()))
		case b.Lang == "text":
			rep.Checked["text (not code)"]++
		case b.Lang == "go" && isWholeFile(b.Text):
			files = append(files, b)
			rep.Checked["go (whole file, compiled)"]++
		case b.Lang == "go":
			if _, err := idx.Find(b.Text); err != nil {
				errs = append(errs, fmt.Errorf("%s: go block: %v", b.Where(), err))
			}
			rep.Checked["go (found in compiled code)"]++
		case b.Lang == "yaml" || b.Lang == "yml":
			if err := CheckYAML(g.Root, b); err != nil {
				errs = append(errs, err)
			}
			rep.Checked["yaml (scenario parsed and planned)"]++
		case b.Lang == "json":
			if err := CheckJSON(b); err != nil {
				errs = append(errs, err)
			}
			rep.Checked["json (parsed)"]++
		case isShell(b.Lang):
			if err := CheckShellSyntax(b); err != nil {
				errs = append(errs, err)
			}
			rep.Shell[b.File] = append(rep.Shell[b.File], b)
			rep.Checked["sh (to run)"]++
		case b.Lang == "python" || b.Lang == "py":
			if err := CheckPythonSyntax(b); err != nil {
				errs = append(errs, err)
			}
			rep.Checked["python (parsed)"]++
		case b.Lang == "diff":
			errs = append(errs, fmt.Errorf("%s: a diff block needs a file directive naming the patch it shows", b.Where()))
		default:
			errs = append(errs, fmt.Errorf("%s: no check for %q blocks: make it text, or add <!-- doc-check: skip REASON -->", b.Where(), b.Lang))
		}
	}
	errs = append(errs, CompileFiles(g.Root, files)...)
	return rep, errs
}

// misplaced rejects directives on blocks they do not apply to.
func misplaced(b *Block) error {
	for _, d := range b.Directives {
		for _, k := range shellOnly {
			if d.Kind == k && !isShell(b.Lang) {
				return fmt.Errorf("%s: the %s directive applies to shell blocks, not %q", b.Where(), k, b.Lang)
			}
		}
		if d.Kind == "yaml" && b.Lang != "yaml" && b.Lang != "yml" {
			return fmt.Errorf("%s: the yaml directive applies to yaml blocks, not %q", b.Where(), b.Lang)
		}
	}
	if b.Has("background") && (b.Has("exit") || b.Has("expect")) {
		return fmt.Errorf("%s: a background block cannot have exit or expect directives", b.Where())
	}
	return nil
}

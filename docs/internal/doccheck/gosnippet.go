package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/build/constraint"
	"go/parser"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// A Go block is checked one of two ways:
//
//   - a whole file (it starts with a package clause) is compiled in the
//     module, through a build overlay, as a test package when it holds
//     tests or examples;
//   - a fragment must appear, line by line in order, in the body of a
//     function of the module's own compiled Go code (usually an Example or
//     a test), so compiling the module compiles the fragment. Lines are
//     compared as Go tokens: spacing and comments do not matter.

// tokLine is the tokens of one source line.
type tokLine []string

func (l tokLine) equal(m tokLine) bool {
	if len(l) != len(m) {
		return false
	}
	for i := range l {
		if l[i] != m[i] {
			return false
		}
	}
	return true
}

// tokenLines splits Go source into lines of tokens, comments and
// automatic semicolons left out; lines without tokens are dropped.
func tokenLines(src []byte) []tokLine {
	fset := token.NewFileSet()
	f := fset.AddFile("", -1, len(src))
	var s scanner.Scanner
	s.Init(f, src, func(token.Position, string) {}, 0)
	var out []tokLine
	last := -1
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return out
		}
		if tok == token.SEMICOLON && lit == "\n" {
			continue
		}
		text := tok.String()
		if lit != "" {
			text = lit
		}
		line := f.Line(pos)
		if line != last {
			out = append(out, nil)
			last = line
		}
		out[len(out)-1] = append(out[len(out)-1], text)
	}
}

// goFunc is the body of one function of the module, or a whole file.
type goFunc struct {
	Where string // file:line Name
	Lines []tokLine
}

// GoIndex is every function body, and every whole file, of the module's
// compiled Go files
// (tests included; testdata, hidden directories and ignored files not).
type GoIndex []goFunc

// IndexGo parses the module's Go files under root.
func IndexGo(root string) (GoIndex, error) {
	var idx, files GoIndex
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, src, parser.ParseComments)
		if err != nil || ignored(f) {
			return nil // not compiled: no proof for a snippet
		}
		rel, _ := filepath.Rel(root, p)
		// The whole file, for fragments made of whole declarations.
		files = append(files, goFunc{Where: filepath.ToSlash(rel), Lines: tokenLines(src)})
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			body := src[fset.Position(fn.Body.Lbrace).Offset+1 : fset.Position(fn.Body.Rbrace).Offset]
			idx = append(idx, goFunc{
				Where: fmt.Sprintf("%s:%d %s", filepath.ToSlash(rel), fset.Position(fn.Pos()).Line, fn.Name.Name),
				Lines: tokenLines(body),
			})
		}
		return nil
	})
	// Functions first: a fragment is best named by its function.
	return append(idx, files...), err
}

// ignored reports a file excluded by a "//go:build ignore" constraint.
func ignored(f *ast.File) bool {
	for _, cg := range f.Comments {
		if cg.Pos() > f.Package {
			break
		}
		for _, c := range cg.List {
			if expr, err := constraint.Parse(c.Text); err == nil {
				return !expr.Eval(func(tag string) bool { return tag != "ignore" })
			}
		}
	}
	return false
}

// matched counts how many of want's lines appear in have, in order.
func matched(want, have []tokLine) int {
	n, j := 0, 0
	for _, w := range want {
		for j < len(have) && !have[j].equal(w) {
			j++
		}
		if j == len(have) {
			return n
		}
		n, j = n+1, j+1
	}
	return n
}

// Find returns the function whose body holds every line of the fragment in
// order. When none does, the error names the closest function and the
// first line it lacks.
func (idx GoIndex) Find(fragment string) (string, error) {
	want := tokenLines([]byte(fragment))
	if len(want) == 0 {
		return "", errors.New("the Go block has no code")
	}
	best, bestN := -1, -1
	for i, fn := range idx {
		n := matched(want, fn.Lines)
		if n == len(want) {
			return fn.Where, nil
		}
		if n > bestN {
			best, bestN = i, n
		}
	}
	msg := "no function of the module holds this fragment (put it in an Example)"
	if best >= 0 && bestN > 0 {
		msg += fmt.Sprintf("; closest: %s, which lacks line %d: %s", idx[best].Where, bestN+1, strings.Join(want[bestN], " "))
	}
	return "", errors.New(msg)
}

// isWholeFile reports a Go block that starts with a package clause.
func isWholeFile(text string) bool {
	for _, l := range tokenLines([]byte(text)) {
		return l[0] == "package"
	}
	return false
}

// CompileFiles compiles whole-file Go blocks inside the module at root,
// each as its own package under docs/internal/doccheck/snippetN through
// a build overlay (nothing is written into the tree), with go test -c
// so that test files and examples compile too.
func CompileFiles(root string, blocks []*Block) []error {
	if len(blocks) == 0 {
		return nil
	}
	tmp, err := os.MkdirTemp("", "doccheck-go-")
	if err != nil {
		return []error{err}
	}
	defer os.RemoveAll(tmp)
	var errs []error
	for i, b := range blocks {
		name := "snippet.go"
		if strings.Contains(b.Text, "testing.") || strings.Contains(b.Text, "func Example") {
			name = "snippet_test.go"
		}
		dir := filepath.Join(root, "docs", "internal", "doccheck", fmt.Sprintf("snippet%d", i))
		src := filepath.Join(tmp, fmt.Sprintf("%d_%s", i, name))
		if err := os.WriteFile(src, []byte(b.Text), 0o644); err != nil {
			return append(errs, err)
		}
		ov, _ := json.Marshal(map[string]any{"Replace": map[string]string{filepath.Join(dir, name): src}})
		ovPath := filepath.Join(tmp, fmt.Sprintf("overlay%d.json", i))
		if err := os.WriteFile(ovPath, ov, 0o644); err != nil {
			return append(errs, err)
		}
		pkg := "./docs/internal/doccheck/" + filepath.Base(dir)
		cmd := exec.Command("go", "test", "-vet=off", "-overlay", ovPath, "-c", "-o", os.DevNull, pkg)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			msg := strings.TrimSpace(string(bytes.ReplaceAll(out, []byte(src), []byte("snippet"))))
			errs = append(errs, fmt.Errorf("%s: go block does not compile: %s", b.Where(), msg))
		}
	}
	return errs
}

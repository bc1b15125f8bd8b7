package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing/fstest"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/scenario"
)

// scenarioDir is where YAML blocks are resolved, so that a block may use
// the example data files (csv: accounts.csv) as the example scenarios do.
const scenarioDir = "docs/scenarios"

// requestWrapper turns the fields of one request into a whole scenario;
// %s is the block, indented to sit under the task's "get:".
const requestWrapper = `host: http://127.0.0.1:8000
duration: 1m
load: {users: 1}
data:
  accounts: {csv: accounts.csv}
classes:
  - name: DocCheckUser
    tasks:
      - get: /doc-check
%s`

// topWrapper completes top-level fields with one user class.
const topWrapper = `
classes:
  - name: DocCheckUser
    tasks:
      - get: /doc-check
`

// CheckYAML parses a YAML block as a scenario (the default, or "yaml
// scenario") or as the fields of one request ("yaml request"), with the
// example scenarios' data files beside it, and builds its plan, which
// compiles every template.
func CheckYAML(root string, b *Block) error {
	text := b.Text
	switch d := b.Directive("yaml"); {
	case d != nil && d.Args == "request":
		var ind strings.Builder
		for _, l := range strings.SplitAfter(strings.TrimRight(text, "\n"), "\n") {
			ind.WriteString("        " + l)
		}
		text = fmt.Sprintf(requestWrapper, ind.String()+"\n")
	case d != nil && d.Args == "top":
		text += topWrapper
	}
	fsys := fstest.MapFS{}
	dir := filepath.Join(root, filepath.FromSlash(scenarioDir))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", b.Where(), err)
	}
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".csv") {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				return fmt.Errorf("%s: %w", b.Where(), err)
			}
			fsys[e.Name()] = &fstest.MapFile{Data: data}
		}
	}
	name := strings.NewReplacer("/", "_", ".", "_").Replace(b.Where()) + ".yaml"
	fsys[name] = &fstest.MapFile{Data: []byte(text)}
	s, err := scenario.LoadFS(fs.FS(fsys), name)
	if err != nil {
		return fmt.Errorf("%s: yaml block is not a valid scenario: %v", b.Where(), err)
	}
	opts := scenario.Options{Host: "http://127.0.0.1:8000"}
	if s.Load == nil {
		opts.Load = engine.Closed{Users: 1}
	}
	if s.Duration == 0 {
		opts.Duration = time.Minute
	}
	if _, err := s.Plan(opts); err != nil {
		return fmt.Errorf("%s: yaml block: plan: %v", b.Where(), err)
	}
	return nil
}

// CheckJSON requires a JSON block to be valid JSON.
func CheckJSON(b *Block) error {
	if !json.Valid([]byte(b.Text)) {
		var v any
		err := json.Unmarshal([]byte(b.Text), &v)
		return fmt.Errorf("%s: json block is not valid JSON: %v", b.Where(), err)
	}
	return nil
}

// CheckFile requires the block's lines to appear, in a row, in the file a
// "file PATH" directive names (trailing spaces ignored).
func CheckFile(root string, b *Block) error {
	d := b.Directive("file")
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(d.Args)))
	if err != nil {
		return fmt.Errorf("%s: file directive: %v", b.Where(), err)
	}
	norm := func(s string) string {
		ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
		for i := range ls {
			ls[i] = strings.TrimRight(ls[i], " \t")
		}
		return "\n" + strings.Join(ls, "\n") + "\n"
	}
	if !strings.Contains(norm(string(data)), norm(b.Text)) {
		return fmt.Errorf("%s: the block is not a verbatim excerpt of %s (update one or the other)", b.Where(), d.Args)
	}
	return nil
}

// errNoPython: python3 is not installed (.ci/docs installs it).
var errNoPython = errors.New("python3 is needed to check python blocks")

// CheckPythonSyntax parses a Python block (a locustfile, say) with
// python3's own parser, without running it.
func CheckPythonSyntax(b *Block) error {
	if _, err := exec.LookPath("python3"); err != nil {
		return fmt.Errorf("%s: %w: %v", b.Where(), errNoPython, err)
	}
	cmd := exec.Command("python3", "-c", "import ast, sys; ast.parse(sys.stdin.read(), sys.argv[1])", b.Where())
	cmd.Stdin = strings.NewReader(b.Text)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: python block does not parse: %s", b.Where(), strings.TrimSpace(string(out)))
	}
	return nil
}

// CheckShellSyntax parses a shell block with bash -n, without running it.
func CheckShellSyntax(b *Block) error {
	cmd := exec.Command("bash", "-n")
	cmd.Stdin = strings.NewReader(b.Text)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: shell block does not parse: %s", b.Where(), strings.TrimSpace(string(out)))
	}
	return nil
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"slices"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command: 0 when the guide holds, 1 when a check failed, 2 for
// a usage error.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("doccheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", "", "the repository (default: the module root above the current directory)")
	shell := fs.Bool("run", false, "also run the shell blocks, page by page, in a scratch copy of the repository")
	page := fs.String("page", "", "with -run: only the pages matching this path.Match pattern (docs/quickstart.md, docs/t*.md); default all")
	verbose := fs.Bool("v", false, "with -run: print the blocks' output as they run")
	timeout := fs.Duration("timeout", 15*time.Minute, "with -run: bound on one page's blocks")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: go run ./docs/internal/doccheck [-run [-page PATTERN] [-v]]\n\n"+
			"Checks the user guide (docs/): links, and every code block by its kind; with -run,\n"+
			"runs the shell blocks too. The conventions are in docs/README.md.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if _, err := path.Match(*page, ""); err != nil {
		fmt.Fprintf(stderr, "doccheck: -page %q: %v\n", *page, err)
		return 2
	}
	if *shell && os.Getenv("DOCCHECK") != "" {
		fmt.Fprintln(stderr, "doccheck: -run inside a shell block of the guide would run the guide again: mark that block <!-- doc-check: skip ... -->")
		return 2
	}
	if *root == "" {
		r, err := moduleRoot()
		if err != nil {
			fmt.Fprintf(stderr, "doccheck: %v\n", err)
			return 2
		}
		*root = r
	}
	g, err := LoadGuide(*root)
	if err != nil {
		fmt.Fprintf(stderr, "doccheck: %v\n", err)
		return 1
	}
	rep, errs := g.Check()
	for _, e := range errs {
		fmt.Fprintf(stderr, "FAIL %v\n", e)
	}
	fmt.Fprintf(stdout, "doccheck: %d pages, %d links checked\n", len(g.Docs), countLinks(g))
	for _, k := range slices.Sorted(maps.Keys(rep.Checked)) {
		fmt.Fprintf(stdout, "  %4d %s\n", rep.Checked[k], k)
	}
	fmt.Fprintf(stdout, "  %4d skipped, each with its reason:\n", len(rep.Skipped))
	for _, s := range rep.Skipped {
		fmt.Fprintf(stdout, "         %s\n", s)
	}
	failed := len(errs) > 0
	if *shell {
		if !runPages(g, rep, *page, *verbose, *timeout, stdout, stderr) {
			failed = true
		}
	}
	if failed {
		fmt.Fprintln(stderr, "doccheck: FAIL")
		return 1
	}
	fmt.Fprintln(stdout, "doccheck: ok")
	return 0
}

// runPages runs the shell blocks of every page matching pattern and
// reports each page; it returns false if any failed.
func runPages(g *Guide, rep *Report, pattern string, verbose bool, timeout time.Duration, stdout, stderr io.Writer) bool {
	var pages []string
	for _, file := range g.Docs {
		if m, _ := path.Match(pattern, file); (pattern == "" || m) && len(rep.Shell[file]) > 0 {
			pages = append(pages, file)
		}
	}
	if len(pages) == 0 {
		fmt.Fprintf(stderr, "FAIL -page %q matches no page with shell blocks\n", pattern)
		return false
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r := &Runner{Root: g.Root, Timeout: timeout}
	if verbose {
		r.Log = stdout
	}
	defer r.Close()
	start := time.Now()
	fmt.Fprintln(stdout, "doccheck: copying the repository and building soak")
	if err := r.Prepare(ctx); err != nil {
		fmt.Fprintf(stderr, "FAIL preparing the scratch copy: %v\n", err)
		return false
	}
	ok := true
	for _, file := range pages {
		res := r.RunPage(ctx, file, rep.Shell[file])
		if res.Err != nil {
			ok = false
			fmt.Fprintf(stderr, "FAIL %s: %d of %d shell blocks ran, in %v\n  %v\n%s\n", file, len(res.Finished), res.Blocks,
				res.Elapsed.Round(time.Second), res.Err, indent(res.Output))
			if errors.Is(ctx.Err(), context.Canceled) {
				break
			}
			continue
		}
		fmt.Fprintf(stdout, "ok   %s: %d shell blocks ran, in %v\n", file, res.Blocks, res.Elapsed.Round(time.Second))
	}
	fmt.Fprintf(stdout, "doccheck: shell blocks of %d pages done in %v\n", len(pages), time.Since(start).Round(time.Second))
	return ok
}

func countLinks(g *Guide) int {
	n := 0
	for _, p := range g.Pages {
		n += len(p.Links)
	}
	return n
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	out := "    | "
	for _, c := range s {
		out += string(c)
		if c == '\n' {
			out += "    | "
		}
	}
	return out
}

// moduleRoot finds the directory of go.mod at or above the current one.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the current directory: give -root")
		}
		dir = parent
	}
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/soaklab/soak/cmd/soak/internal/outpath"
	"github.com/soaklab/soak/cmd/soak/internal/results"
	"github.com/soaklab/soak/engine/compare"
	"github.com/soaklab/soak/engine/report"
	"github.com/soaklab/soak/internal/fileread"
)

// Names of the comparison's outputs, written beside NEW (or in --out).
const (
	compareJSONFile     = "compare.json"
	compareHTMLFile     = "compare.html"
	compareMarkdownFile = "compare.md"
)

// compareOptions are soak compare's flags.
type compareOptions struct {
	flags    compareFlags
	out      string
	json, md bool
	junit    string
}

func (o *compareOptions) register(fs *flag.FlagSet) {
	o.flags.register(fs)
	fs.StringVar(&o.out, "out", "", "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.BoolVar(&o.md, "md", false, "")
	fs.StringVar(&o.junit, "junit", "", "")
}

func (c *cli) cmdCompare(ctx context.Context, args []string) (int, error) {
	var o compareOptions
	fs := newFlagSet("compare")
	o.register(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return exitUsage, err
	}
	if len(rest) != 2 {
		return exitUsage, usagef("want BASE and NEW (results directories or report.json files), got %d arguments", len(rest))
	}
	if o.json && o.md {
		return exitUsage, usagef("--json and --md both print the comparison on stdout: choose one")
	}
	if err := o.flags.check(); err != nil {
		return exitUsage, err
	}
	if o.junit != "" {
		if err := checkJUnit(o.junit); err != nil {
			return exitUsage, usagef("--junit %s: %v", o.junit, err)
		}
	}
	out := o.out
	if out == "" {
		out = besideRun(rest[1])
	}
	if err := outpath.File(filepath.Join(out, compareJSONFile)); err != nil {
		return exitUsage, usagef("--out %s: %v", out, err)
	}
	var runs [2]*compare.Run
	for i, path := range rest {
		if err := ctx.Err(); err != nil {
			return exitInterrupted, errInterrupted
		}
		if runs[i], err = c.loadCompareRun(path); err != nil {
			if isUsage(err) {
				return exitUsage, err
			}
			return exitError, err
		}
	}
	cmp, err := compare.Compare(runs[0], runs[1], o.flags.options())
	if err != nil {
		return exitUsage, comparePlanError(err)
	}
	code := compareExit(cmp)
	written, werr := writeComparison(out, cmp)
	switch {
	case o.json:
		c.printOrWarn(filepath.Join(out, compareJSONFile))
	case o.md:
		c.printOrWarn(filepath.Join(out, compareMarkdownFile))
	default:
		writeCompareSummary(c.stdout, cmp, out, written, fmt.Sprintf("exit %d: %s", code, cmp.Headline))
	}
	cerr := c.emitCI("soak compare", o.junit, compareCases(cmp))
	if err := errors.Join(werr, cerr); err != nil {
		return exitError, err
	}
	return code, nil
}

// besideRun is the directory of a results directory or report.json.
func besideRun(path string) string {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return path
	}
	return filepath.Dir(path)
}

// loadCompareRun reads one side of a comparison: a results directory
// (analysed as soak report does) or a report.json file.
func (c *cli) loadCompareRun(path string) (*compare.Run, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, usagef("%s: %v", path, outpath.Pathless(err))
	}
	if fi.IsDir() {
		saved, err := results.Open(path)
		if err != nil {
			if errors.Is(err, results.ErrNotResults) {
				return nil, asUsage(err)
			}
			return nil, err
		}
		for _, w := range saved.Warnings {
			fmt.Fprintf(c.stderr, "soak compare: %s: %s\n", path, w)
		}
		r, err := analyzeSaved(saved, nil)
		if err != nil {
			return nil, err
		}
		return compare.FromAnalysis(path, r)
	}
	f, err := fileread.Open(path)
	if err != nil {
		return nil, usagef("%s: %v", path, outpath.Pathless(err))
	}
	defer f.Close()
	doc, err := report.ReadJSON(f.Reader(report.MaxJSONBytes), path)
	if err != nil {
		return nil, asUsage(err)
	}
	r, err := report.CompareRun(doc, path)
	if err != nil {
		return nil, usagef("%s: %v", path, err)
	}
	return r, nil
}

// comparePlanError words a refusal to compare for the command line.
func comparePlanError(err error) error {
	var pe *compare.PlanError
	if errors.As(err, &pe) {
		return usagef("%v (give --allow-plan-change to compare them anyway)", err)
	}
	return asUsage(err)
}

// compareExit is the exit code of a comparison: 0 for no significant
// change or an improvement, exitRegression, or exitInconclusive.
func compareExit(cmp *compare.Comparison) int {
	switch cmp.Verdict {
	case compare.VerdictRegression:
		return exitRegression
	case compare.VerdictInconclusive:
		return exitInconclusive
	}
	return exitOK
}

// writeComparison writes compare.json, compare.html and compare.md into
// dir; every output is tried, the first error returned.
func writeComparison(dir string, cmp *compare.Comparison) ([]string, error) {
	var written []string
	var first error
	for _, o := range []struct {
		name string
		rep  report.Reporter
	}{
		{compareJSONFile, report.CompareJSON(cmp)},
		{compareHTMLFile, report.CompareHTML(cmp)},
		{compareMarkdownFile, report.CompareMarkdown(cmp)},
	} {
		path := filepath.Join(dir, o.name)
		if err := report.WriteFile(path, o.rep); err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		written = append(written, path)
	}
	return written, first
}

// writeCompareSummary prints the comparison in a few lines: the runs,
// every regression and improvement, new and resolved findings, the
// outputs, and last, the line given (the verdict with its exit code).
func writeCompareSummary(w io.Writer, cmp *compare.Comparison, dir string, written []string, last string) {
	fmt.Fprintf(w, "\nsoak compare: BASE %s (run %s) against NEW %s (run %s)\n", cmp.Base.Label, cmp.Base.ID, cmp.New.Label, cmp.New.ID)
	for _, d := range cmp.PlanChanges {
		fmt.Fprintf(w, "  plan changed: %s\n", d)
	}
	var same, undecided int
	for i := range cmp.Checks {
		ch := &cmp.Checks[i]
		switch ch.Status {
		case compare.StatusRegression, compare.StatusImprovement:
			fmt.Fprintf(w, "  %s: %s: %s\n", ch.Status, ch.Name(), ch.Evidence())
		case compare.StatusInsufficient:
			undecided++
		default:
			same++
		}
	}
	fmt.Fprintf(w, "  no significant change: %d checks; too little data: %d\n", same, undecided)
	for _, f := range cmp.Findings {
		side := f.New
		if f.Status == compare.FindingResolved {
			side = f.Base
		}
		fmt.Fprintf(w, "  finding %s: %s\n", f.Status, side)
	}
	for _, n := range cmp.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	fmt.Fprintf(w, "  outputs in %s:", dir)
	for _, p := range written {
		fmt.Fprintf(w, " %s", filepath.Base(p))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  %s\n", last)
}

const compareUsage = `Usage: soak compare [flags] BASE NEW

Compares two runs of the same plan: is NEW worse than BASE? BASE and NEW are
results directories (--out of soak run or demo) or their report.json files.
Per endpoint (and all of them together): p50, p95, p99, throughput and error
rate, each with its change, a 99% bootstrap interval over the steady state's
windows and a confidence; the server-side figures (heap slope, goroutines
after the drain, pool peak and waits, query p95, cache hit rate); the
findings new, resolved and unchanged. A change counts only when it is
significant (its interval excludes zero) and beyond its threshold; a new
finding always counts. Runs whose plans differ (users, classes, rates,
duration) are refused, saying what differs. docs/compare.md has the method.

Flags:
` + compareUsageFlags + `  --out DIR                where compare.md, compare.html and compare.json go (default
                           beside NEW: its directory, or the directory of its report.json)
  --json                   print compare.json on stdout instead of the summary
  --md                     print compare.md on stdout instead of the summary
  --junit FILE             also write a JUnit XML report: one test case per endpoint and
                           metric and per finding; regressions fail (docs/ci.md)
  With GITHUB_ACTIONS=true, every regression is also an ::error line on stdout.

Exit codes:
  0    no significant change, or an improvement
  1    soak could not do its job (a file could not be read or written)
  2    usage error: bad flag or threshold, BASE or NEW not a run, plans that differ
       (without --allow-plan-change)
  5    inconclusive: no check had 5 steady-state windows with requests in both runs
  6    regression: a check got worse beyond its threshold with confidence, or a new finding

Examples:
  soak compare soak-results/main soak-results/pr-1234
  soak compare --max-p95-regression 10% --max-throughput-drop 5% base/report.json new/report.json
  soak compare --junit compare.xml --md base new > compare.md
`

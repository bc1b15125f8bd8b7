package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/soaklab/soak/cmd/soak/internal/results"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/analysis/capacity"
	"github.com/soaklab/soak/engine/report"
)

// Names of the outputs inside a results directory.
const (
	csvPrefix    = "soak" // soak_stats.csv, soak_stats_history.csv, soak_failures.csv, soak_exceptions.csv
	jsonFile     = "report.json"
	htmlFile     = "report.html"
	markdownFile = "report.md"
)

// outputFlags are where the outputs go beside the results directory.
type outputFlags struct {
	csv            string // extra Locust CSV prefix (--csv)
	csvFullHistory bool
	html           string // extra HTML file (--html)
	json, md       bool   // print the JSON or Markdown report on stdout
}

// writeOutputs renders every output of r (and of cr, the capacity
// search that made the run, nil for a sustained run) into dir (and where
// the flags ask), and returns the paths written. Partial marks them as such. Every
// output is tried; the first error is returned.
func writeOutputs(dir string, r *analysis.Result, cr *capacity.Result, partial bool, f outputFlags) ([]string, error) {
	run := report.Run{Analysis: r, Capacity: cr, Partial: partial, IntervalsFile: results.IntervalsFile}
	var written []string
	var first error
	try := func(path string, err error) {
		if err != nil && first == nil {
			first = err
		}
		if err == nil {
			written = append(written, path)
		}
	}
	csvOpt := report.CSVOptions{FullHistory: f.csvFullHistory}
	csv := func(prefix string) {
		if err := report.WriteLocustCSV(prefix, run, csvOpt); err != nil {
			try(prefix+report.SuffixStats, err)
			return
		}
		for _, s := range []string{report.SuffixStats, report.SuffixStatsHistory, report.SuffixFailures, report.SuffixExceptions} {
			try(prefix+s, nil)
		}
	}
	csv(filepath.Join(dir, csvPrefix))
	if f.csv != "" {
		csv(f.csv)
	}
	try(filepath.Join(dir, jsonFile), report.WriteFile(filepath.Join(dir, jsonFile), report.JSON(run)))
	try(filepath.Join(dir, htmlFile), report.WriteFile(filepath.Join(dir, htmlFile), report.HTML(run)))
	if f.html != "" {
		try(f.html, report.WriteFile(f.html, report.HTML(run)))
	}
	try(filepath.Join(dir, markdownFile), report.WriteFile(filepath.Join(dir, markdownFile), report.Markdown(run)))
	return written, first
}

// printReport copies the output file name to w (the --json and --md
// flags print a report on stdout).
func printReport(w io.Writer, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("printing %s: %w", filepath.Base(path), err)
	}
	_, err = w.Write(b)
	return err
}

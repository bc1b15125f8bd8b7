package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/soaklab/soak/cmd/soak/internal/results"
	"github.com/soaklab/soak/engine/analysis/capacity"
	"github.com/soaklab/soak/internal/fileread"
)

// capacityFile holds a capacity search's result in its results directory.
const capacityFile = "capacity.json"

func (c *cli) cmdReport(ctx context.Context, args []string) (int, error) {
	var o runOptions
	var rb rebuildFlags
	fs := newFlagSet("report")
	o.registerReport(fs)
	rb.register(fs)
	rest, err := o.parse(fs, args)
	if err != nil {
		return exitUsage, err
	}
	if len(rest) != 1 {
		return exitUsage, usagef("want one results directory, got %d arguments", len(rest))
	}
	if o.json && o.md {
		return exitUsage, usagef("--json and --md both print a report on stdout: choose one")
	}
	if err := o.outputs().check(); err != nil {
		return exitUsage, err
	}
	dir := rest[0]
	if o.junit != "" {
		if err := checkJUnit(o.junit); err != nil {
			return exitUsage, usagef("--junit %s: %v", o.junit, err)
		}
	}
	if rb.nats != "" {
		if err := c.rebuild(ctx, dir, &rb); err != nil {
			return exitError, err
		}
	} else if rb.job != "" || rb.run != "" {
		return exitUsage, usagef("--job and --run go with --nats URL: they name the run to rebuild from its stream")
	}
	saved, err := results.Open(dir)
	if err != nil {
		return exitError, err
	}
	for _, w := range saved.Warnings {
		fmt.Fprintf(c.stderr, "soak report: %s\n", w)
	}
	c.fleetHint(dir, saved)
	partial := saved.Partial()
	r, err := analyzeSaved(saved, &o.targets)
	if err != nil {
		if isUsage(err) {
			return exitUsage, err
		}
		return exitError, err
	}
	r.Partial = r.Partial || partial
	cr, err := readCapacity(dir)
	if err != nil {
		return exitError, err
	}
	code := r.ExitCode()
	if cr != nil {
		code = exitOK
		// A search that broke stopped the engine on purpose: the
		// capacity result says whether it was cut short, as soak
		// capacity's own outputs do.
		r.Partial = cr.Partial || partial
	}
	written, err := writeOutputs(dir, r, cr, partial, o.outputs())
	if err != nil {
		code = exitError
	}
	c.summarize(r, cr != nil, dir, written, &o, partial, code)
	if cerr := c.emitCI("soak report", o.junit, analysisCases(r)); cerr != nil {
		return exitError, errors.Join(err, cerr)
	}
	return code, err
}

// registerReport defines soak report's flags: outputs and targets.
func (o *runOptions) registerReport(fs *flag.FlagSet) {
	fs.StringVar(&o.csv, "csv", "", "")
	fs.BoolVar(&o.csvFullHistory, "csv-full-history", false, "")
	fs.StringVar(&o.html, "html", "", "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.BoolVar(&o.md, "md", false, "")
	fs.StringVar(&o.junit, "junit", "", "")
	o.targets.register(fs)
}

// readCapacity reads capacity.json, nil when absent.
func readCapacity(dir string) (*capacity.Result, error) {
	b, err := fileread.ReadFile(filepath.Join(dir, capacityFile), results.MaxMetaBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, capacityFile), err)
	}
	var cr capacity.Result
	if err := json.Unmarshal(b, &cr); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, capacityFile), err)
	}
	return &cr, nil
}

package main

import "github.com/soaklab/soak/cmd/soak/internal/outpath"

// checkOutputs refuses, before the scenario is read and before any load,
// an output soak could not write at the end: --out DIR (or the default
// ./soak-results/<run id>), --csv PREFIX and --html FILE. The error is a
// usage error naming the flag. A run writes its results directory as it
// goes, so --out only needs its nearest existing directory writable (the
// rest is made); --csv and --html write beside the results at the end,
// into a directory that must already exist.
func (o *runOptions) checkOutputs() error {
	out, flag := o.out, "--out "+o.out
	if out == "" {
		out, flag = "soak-results", "--out (default ./soak-results/<run id>)"
	}
	if err := outpath.ResultsDir(out); err != nil {
		return usagef("%s: %v", flag, err)
	}
	if o.junit != "" {
		if err := checkJUnit(o.junit); err != nil {
			return usagef("--junit %s: %v", o.junit, err)
		}
	}
	return o.outputs().check()
}

// check refuses a --csv or --html path whose directory is missing or not
// writable.
func (f outputFlags) check() error {
	if f.csv != "" {
		if err := outpath.File(f.csv + "_stats.csv"); err != nil {
			return usagef("--csv %s: %v", f.csv, err)
		}
	}
	if f.html != "" {
		if err := outpath.File(f.html); err != nil {
			return usagef("--html %s: %v", f.html, err)
		}
	}
	return nil
}

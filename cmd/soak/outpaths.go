package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/soaklab/soak/cmd/soak/internal/results"
)

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
	if err := checkResultsDir(out); err != nil {
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
		if err := checkFileDir(f.csv + "_stats.csv"); err != nil {
			return usagef("--csv %s: %v", f.csv, err)
		}
	}
	if f.html != "" {
		if err := checkFileDir(f.html); err != nil {
			return usagef("--html %s: %v", f.html, err)
		}
	}
	return nil
}

// checkResultsDir checks that dir can become a results directory: an
// existing directory without a run in it, or a path whose nearest
// existing ancestor is a writable directory.
func checkResultsDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && !fi.IsDir():
		return errors.New("exists and is not a directory")
	case err == nil:
		if _, err := os.Stat(filepath.Join(dir, results.RunFile)); err == nil {
			return fmt.Errorf("already holds a run's results (%s); choose another --out", results.RunFile)
		}
		return writable(dir)
	case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
		return pathless(err)
	}
	parent := filepath.Dir(dir)
	if parent == dir {
		return pathless(err)
	}
	return checkResultsDirParent(parent)
}

// checkResultsDirParent checks the nearest existing ancestor of a
// directory soak will make.
func checkResultsDirParent(dir string) error {
	for {
		fi, err := os.Stat(dir)
		switch {
		case err == nil && !fi.IsDir():
			return fmt.Errorf("%s is not a directory", dir)
		case err == nil:
			return writable(dir)
		case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
			return pathless(err)
		}
		up := filepath.Dir(dir)
		if up == dir {
			return fmt.Errorf("%s does not exist", dir)
		}
		dir = up
	}
}

// checkFileDir checks that the file name can be written: its directory
// exists and is writable, and name is not a directory.
func checkFileDir(name string) error {
	if fi, err := os.Stat(name); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory", name)
	}
	dir := filepath.Dir(name)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("directory %s does not exist", dir)
	case err != nil:
		return pathless(err)
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	return writable(dir)
}

// writable checks that a file can be made in dir by making one and
// removing it: permissions, read-only mounts and the like all show.
func writable(dir string) error {
	f, err := os.CreateTemp(dir, ".soak-write-check-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %v", dir, pathless(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// pathless drops the path an *fs.PathError repeats.
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

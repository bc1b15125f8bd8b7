package report

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
)

// ErrNoResult is returned by every renderer given a Run without a Result.
var ErrNoResult = errors.New("report: run has no engine result")

// Reporter writes one output of a run to w, as vegeta's reporters do. The
// Locust*, JSON and HTML functions return Reporters; Write* call them.
type Reporter func(w io.Writer) error

// Run is what every renderer reads: a finished or partial run. The zero
// value is not renderable (Result is required). A Run is read, never
// modified, so one Run may be rendered by several goroutines at once.
type Run struct {
	// Result is the engine's result: the run's description, its interval
	// series and its exact total. Required, unless Analysis is set: then
	// nil means Analysis.Engine.
	Result *engine.Result

	// Analysis is the stability analysis of the run, when there is one
	// (nil for a client-side only run): the JSON document then carries the
	// findings, targets, environment and server-side series, and the HTML
	// report adds the seed template's sections and the server-side charts.
	Analysis *analysis.Result

	// Partial marks the outputs of a run that did not finish (a Ctrl-C, a
	// kill, or a result rebuilt from a results directory of a run that
	// never ended). Result.Canceled and Result.Stopped imply it.
	Partial bool

	// IntervalsFile is the file (relative to the JSON output, usually
	// "intervals.jsonl") holding every interval exactly as the engine
	// wrote it; the JSON output references it. Optional.
	IntervalsFile string
}

// partial reports whether outputs must be marked partial.
func (r Run) partial() bool {
	return r.Partial || (r.Result != nil && r.Result.Ending() != engine.EndCompleted) || (r.Analysis != nil && r.Analysis.Partial)
}

// check resolves the engine result and reports whether there is one.
func (r *Run) check() error {
	if r.Result == nil && r.Analysis != nil {
		r.Result = r.Analysis.Engine
	}
	if r.Result == nil || r.Result.Total == nil {
		return ErrNoResult
	}
	return nil
}

// writeFile writes a file through a temporary file in the same directory
// and renames it into place, so a crash mid-write never leaves a torn
// output where a complete one was.
func writeFile(path string, rep Reporter) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = rep(f); err != nil {
		return fmt.Errorf("report: writing %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err = os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// WriteFile writes rep's output to path atomically: through a temporary
// file in the same directory, renamed into place once complete.
func WriteFile(path string, rep Reporter) error { return writeFile(path, rep) }

package report

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/analysis/capacity"
)

// Errors of a Run that cannot be rendered.
var (
	// ErrNoResult: the Run has no engine result (neither Result nor
	// Analysis.Engine).
	ErrNoResult = errors.New("report: run has no engine result")
	// ErrTwoResults: the Run has both Result and Analysis; an analysed
	// run is given by its Analysis alone, which carries the engine result.
	ErrTwoResults = errors.New("report: run has both Result and Analysis: set Analysis alone (it carries the engine result)")
	// ErrNoAnalysis: the output (Markdown) needs the analysis of the run.
	ErrNoAnalysis = errors.New("report: run has no analysis (set Run.Analysis)")
	// ErrCapacityWithoutAnalysis: a capacity search is reported with the
	// analysis of its stepped run.
	ErrCapacityWithoutAnalysis = errors.New("report: run has a capacity search but no analysis (set Run.Analysis to the stepped run's)")
)

// Reporter writes one output of a run to w, as vegeta's reporters do. The
// Locust*, JSON and HTML functions return Reporters; Write* call them.
type Reporter func(w io.Writer) error

// Run is what every renderer reads: a finished or partial run, given one
// way: an analysed run by its Analysis (which carries the engine's
// result), a client-side only run by its Result. Exactly one of the two
// is set; the zero value is not renderable. A Run is read, never
// modified, so one Run may be rendered by several goroutines at once.
type Run struct {
	// Analysis is the stability analysis of the run (analysis.Analyze,
	// runner.Soak): its Engine is the run's engine result. The JSON
	// document then carries the findings, targets, environment and
	// server-side series, the HTML report adds the seed template's
	// sections and the server-side charts, and the Markdown report (which
	// needs it) fills the seed's template.
	Analysis *analysis.Result

	// Capacity is the capacity search that made the run (runner.Capacity),
	// nil for a sustained run: it fills the reports' Capacity Planning and
	// Scaling sections and their verdict (a search exits 0 once it ran).
	// It needs Analysis.
	Capacity *capacity.Result

	// Result is the engine's result of a run without an analysis (a
	// client-side only run): the run's description, its interval series
	// and its exact total. Leave it nil when Analysis is set.
	Result *engine.Result

	// Partial marks the outputs of a run that did not finish (a Ctrl-C, a
	// kill, or a result rebuilt from a results directory of a run that
	// never ended). Analysis.Partial implies it; without an analysis,
	// Result.Canceled and Result.Stopped do.
	Partial bool

	// IntervalsFile is the file (relative to the JSON output, usually
	// "intervals.jsonl") holding every interval exactly as the engine
	// wrote it; the JSON output references it. Optional.
	IntervalsFile string
}

// engine returns the run's engine result: Analysis.Engine for an
// analysed run, else Result. It fails on a Run without one, with both,
// or with a capacity search but no analysis.
func (r Run) engine() (*engine.Result, error) {
	if r.Capacity != nil && r.Analysis == nil {
		return nil, ErrCapacityWithoutAnalysis
	}
	res := r.Result
	if r.Analysis != nil {
		if r.Result != nil {
			return nil, ErrTwoResults
		}
		res = r.Analysis.Engine
	}
	if res == nil || res.Total == nil {
		return nil, ErrNoResult
	}
	return res, nil
}

// partial reports whether outputs of the run, whose engine result is
// res, must be marked partial: Partial, else the analysis's verdict on
// the run's ending (Analysis.Partial, which a capacity search that
// stopped the engine at its breaking point leaves unset), else, without
// an analysis, the engine's ending.
func (r Run) partial(res *engine.Result) bool {
	if r.Analysis != nil {
		return r.Partial || r.Analysis.Partial
	}
	return r.Partial || res.Ending() != engine.EndCompleted
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

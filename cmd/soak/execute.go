package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/soaklab/soak/cmd/soak/internal/live"
	"github.com/soaklab/soak/cmd/soak/internal/results"
	"github.com/soaklab/soak/cmd/soak/internal/web"
	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/analysis/capacity"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/runner"
	"github.com/soaklab/soak/internal/runid"
)

// job is one soak, ready to execute: the plan, the probes, the targets
// and where the outputs go.
type job struct {
	mode     string // "run", "demo" or "capacity"
	plan     engine.Plan
	sources  []runner.Source
	scenario string // what the users do, for run.json and the summary
	opts     *runOptions
	th       analysis.Thresholds
	policy   analysis.Policy
	fleet    *fleetJob // a coordinated run's workers (see coordinate); nil: the load runs here
	failFast bool      // end the run at the first early warning (--fail-fast, fail_fast:)
}

// savedAnalysis is what run.json keeps of the analysis settings, so that
// `soak report` judges the rebuilt run against the same targets, in the
// same way.
type savedAnalysis struct {
	Thresholds analysis.Thresholds `json:"thresholds"`
	Policy     analysis.Policy     `json:"policy"`
}

// session is a job under way: its results directory, live progress and
// Ctrl-C handling.
type session struct {
	ctx      context.Context // the run's: cancelled by a first Ctrl-C outside the load, or the second
	mode     string          // the job's: "run", "demo" or "capacity"
	out      string
	dir      *results.Dir
	progress *live.Progress
	graceful *graceful
	web      *liveWeb        // --web's view, nil without
	cmd      context.Context // the command's: cancelled by the second Ctrl-C
	release  func()          // ends the session's watches; called by finish or on an error
}

// begin creates the results directory of j and wires the plan's
// callbacks to it, to the live progress and to Ctrl-C: the first one is
// the plan's Stop (see graceful), the second cancels ctx. The run must
// use the session's ctx.
//
// A first Ctrl-C that came before (during the preparation) ends the run
// here, with errInterrupted and no directory made.
func (c *cli) begin(ctx context.Context, j *job) (*session, error) {
	select {
	case <-c.stop:
		return nil, errInterrupted
	default:
	}
	if j.plan.RunID == "" {
		j.plan.RunID = runid.New(time.Now())
	}
	out := j.opts.out
	if out == "" {
		out = filepath.Join("soak-results", j.plan.RunID)
	}
	w, err := startWeb(j)
	if err != nil {
		return nil, err
	}
	meta := c.meta(j)
	meta.Fleet = j.fleet.location()
	d, err := results.Create(out, meta)
	if err != nil {
		w.close()
		return nil, fmt.Errorf("--out: %w", err)
	}
	c.resultsDir.Store(&out)
	p := live.New(c.stderr, c.tty)
	p.SetVerbosity(j.opts.locust.verbosity())
	p.SetLabel(strings.TrimPrefix(j.mode+" run", "run "))
	j.fleet.watch(p)
	w.announce(p.Note)
	runCtx, cancel := context.WithCancel(ctx)
	g := &graceful{cancel: cancel, note: p.Note, stopTimeout: j.plan.StopTimeout}
	stop := w.stopOf(runCtx, c.stop)
	j.plan.Stop = stop
	j.plan.OnStart = func(ri engine.RunInfo) { g.enter(underLoad); d.Start(ri); p.Start(ri); w.start(ri) }
	j.plan.OnInterval = func(iv *engine.Interval) { d.Interval(iv); p.Interval(iv); w.interval(iv) }
	if stop != nil {
		go func() {
			select {
			case <-stop:
				g.interrupt()
			case <-runCtx.Done():
			}
		}()
	}
	second := context.AfterFunc(ctx, func() {
		p.Note(fmt.Sprintf("exiting now: requests in flight aborted, outputs written if they take less than %s", exitGrace))
	})
	release := func() { second(); cancel() }
	return &session{ctx: runCtx, mode: j.mode, out: out, dir: d, progress: p, graceful: g, web: w, cmd: ctx, release: release}, nil
}

// onSample shows a probe sample on the live view; a drain sample means
// the load is over, for Ctrl-C.
func (s *session) onSample(smp *capture.Sample) {
	if smp.Phase == capture.PhaseDrain {
		s.graceful.enter(afterLoad)
	}
	var perr error
	if smp.Snapshot == nil {
		perr = errors.New(smp.Error)
	}
	s.progress.Probe(smp.Source, perr)
	s.web.sample(smp)
}

// onWarning shows an early warning on the live view and the log as it
// is raised; the one that ended a fail-fast run says so.
func (s *session) onWarning(w capture.Warning) {
	s.progress.Warning(w)
	s.web.warning(w)
	if w.EndedRun {
		s.progress.Note("fail-fast: ending the run at this first warning; requests in flight finish, then the drain and every output (exit 4)")
	}
}

// interrupted reports whether a Ctrl-C came; ctx is the command's.
func (s *session) interrupted(ctx context.Context) bool {
	return ctx.Err() != nil || s.graceful.interrupted()
}

// finish writes the outputs of r (and cr, the capacity search that made
// it; nil for a sustained run), closes the results directory, compares
// the run with --baseline-run, prints the summary and writes the CI
// outputs (--junit, GitHub annotations). code is the exit code the run's
// verdict gives; finish returns the one the command returns (a
// regression's, exitError when an output failed) and the outputs',
// the directory's and the comparison's errors.
func (s *session) finish(c *cli, r *analysis.Result, cr *capacity.Result, interrupted bool, o *runOptions, code int) (int, error) {
	s.release()
	s.progress.Finish()
	status := results.StatusComplete
	if interrupted {
		status = results.StatusInterrupted
	}
	written, werr := writeOutputs(s.out, r, cr, interrupted, o.outputs())
	for _, w := range written {
		s.dir.AddOutput(w)
	}
	if r.Engine != nil {
		s.dir.SetEnding(r.Engine.Ending())
	}
	ferr := s.dir.Finish(status)
	if werr != nil || ferr != nil {
		code = exitError // what the caller returns when finish fails
	}
	var cerr error
	cases := analysisCases(r)
	if o.baselineRun.loaded != nil && !interrupted && code != exitError {
		code, cerr = c.compareBaseline(r, s.out, o, code)
		if cmp := o.baselineRun.compared; cmp != nil {
			cases = append(cases, compareCases(cmp)...)
		}
	}
	c.summarize(r, cr != nil, s.out, written, o, interrupted, code)
	ierr := c.emitCI("soak "+s.mode, o.junit, cases)
	err := errors.Join(werr, ferr, cerr, ierr)
	final := code
	if err != nil {
		final = exitError
	}
	s.web.finish(s.cmd, c.stop, c.stderr, web.Final{Analysis: r, ExitCode: final, Files: written, Dir: s.out, Interrupted: interrupted})
	if err != nil {
		return exitError, err
	}
	return code, nil
}

// execute runs j: baseline, load and drain while every interval and probe
// sample is saved, then every output and the summary. The exit code says
// how it went.
func (c *cli) execute(ctx context.Context, j *job) (int, error) {
	s, err := c.begin(ctx, j)
	if err != nil {
		return beginFailed(err)
	}
	o := j.opts
	baseline := o.baseline.D
	if len(j.sources) == 0 && !o.baseline.IsSet {
		baseline = time.Nanosecond // no probe to read: no reason to wait before the load
	}
	r, err := runner.Soak(s.ctx, runner.Config{
		Plan: j.plan, Sources: j.sources,
		PollInterval: o.probeInterval.D, Baseline: baseline, Settle: o.settle.D, Drain: o.drain.D,
		Thresholds: &j.th, Policy: j.policy, Dir: s.out, Record: s.dir.Capture(),
		OnSample: s.onSample, OnWarning: s.onWarning, FailFast: j.failFast,
		Command: c.commandLine(), Scenario: j.scenario,
		Load: j.fleet.load(),
	})
	if err != nil {
		s.release()
		s.web.close()
		_ = s.dir.Finish(results.StatusInterrupted)
		return exitError, err
	}
	j.fleet.record(s.dir, r)
	// A run fail-fast ended is partial, but its exit code is the
	// verdict's (unhealthy), not an interruption's.
	interrupted := s.interrupted(ctx) || (r.Partial && r.FailFast() == nil)
	r.Partial = r.Partial || interrupted
	code := o.locust.exitCode(r, r.ExitCode())
	if interrupted {
		code = exitInterrupted
	}
	return s.finish(c, r, nil, interrupted, o, code)
}

// beginFailed is the exit code and error of a run whose begin failed.
func beginFailed(err error) (int, error) {
	if errors.Is(err, errInterrupted) {
		return exitInterrupted, err
	}
	return exitError, err
}

// outputs returns the output flags of o.
func (o *runOptions) outputs() outputFlags {
	return outputFlags{csv: o.csv, csvFullHistory: o.csvFullHistory, html: o.html, json: o.json, md: o.md}
}

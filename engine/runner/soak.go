package runner

import (
	"context"
	"sync"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/internal/clock"
	"github.com/soaklab/soak/probe"
)

// Soak runs one soak: it polls the sources for a baseline, runs the
// engine (warm-up, then steady state) while polling them, lets the service
// drain, captures profiles and leak reports at the [capture.Moments], and returns
// the analysed [analysis.Result].
//
// Cancelling ctx at any point still returns a Result for what ran, with
// Partial set and a nil error: the engine stops as engine.Run documents,
// and the drain is cut to one last poll and capture (bounded by
// PollTimeout, on a context that is no longer cancelled). A source that
// does not answer never stops the run: its samples carry the error and the
// report says which rows it left unmeasured.
//
// Soak returns an error only for a bad Config (wrapping ErrConfig, or
// engine.ErrPlan) or a Plan.Handler that cannot be served. Recording
// errors (Config.Record) do not stop the run; the first is in
// Result.Notes.
func Soak(ctx context.Context, cfg Config) (*analysis.Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	o := &orchestrator{cfg: &cfg, p: &poller{cfg: &cfg, cap: &capture.Capture{}}}
	o.p.warn = newWarner(o.p)
	res, err := o.run(ctx)
	if err != nil {
		return nil, err
	}
	o.p.warn.finish()
	r, err := analysis.Analyze(res, o.p.cap, orDefaultThresholds(cfg.Thresholds), analysis.WithPolicy(cfg.Policy))
	if err != nil {
		return nil, err
	}
	if o.p.recordErr != nil {
		r.Notes = append(r.Notes, o.p.recordErr.Error())
	}
	return r, nil
}

type orchestrator struct {
	cfg *Config
	p   *poller
}

func (o *orchestrator) run(ctx context.Context) (*engine.Result, error) {
	cfg, p := o.cfg, o.p
	names := make([]string, len(cfg.Sources))
	var local []string
	for i, s := range cfg.Sources {
		names[i] = s.Name()
		if _, ok := s.(inProcess); ok {
			local = append(local, s.Name())
		}
	}
	p.cap.Config = &capture.CaptureConfig{PollInterval: cfg.PollInterval, Baseline: cfg.Baseline, Settle: cfg.Settle,
		Drain: cfg.Drain, Sources: names, InProcess: local, Command: cfg.Command, Scenario: cfg.Scenario}
	p.cap.Environment = CollectEnvironment(cfg.Dir)
	if cfg.Record != nil {
		p.record(cfg.Record.Config(p.cap.Config))
		p.record(cfg.Record.Environment(p.cap.Environment))
	}

	// Baseline: at least one poll, then one every interval until Baseline.
	t0 := time.Now()
	p.phaseStart(capture.PhaseBaseline, t0)
	o.pollUntil(ctx, capture.PhaseBaseline, t0.Add(cfg.Baseline))
	if len(cfg.Sources) > 0 && ctx.Err() == nil {
		p.captureAt(ctx, capture.MomentBaselineEnd, false, probe.ProfileGoroutine)
	}
	p.phase(capture.Span{Phase: capture.PhaseBaseline, Start: t0, End: time.Now()})
	if ctx.Err() != nil {
		return o.cancelledBeforeLoad(t0), nil
	}

	// Load: the engine on this goroutine, polls and captures on another.
	plan := cfg.Plan
	started := make(chan engine.RunInfo, 1)
	onStart := plan.OnStart
	plan.OnStart = func(ri engine.RunInfo) {
		p.warn.loadStarted(ri.Start)
		started <- ri
		if onStart != nil {
			onStart(ri)
		}
	}
	loadDone := make(chan struct{})
	if cfg.FailFast && len(cfg.Sources) > 0 {
		plan.Stop = o.failFastStop(plan.Stop, loadDone)
	}
	polled := make(chan loadTimes, 1)
	// After a graceful stop (the caller's Plan.Stop, a Ctrl-C), every
	// wait is bounded by StopTimeout (the engine bounds its requests in
	// flight itself, on ctx). A fail-fast stop is not a hurry: its drain
	// and captures are the warning's evidence.
	sb := newStopBound(ctx, cfg.Plan.Stop, plan.StopTimeout)
	defer sb.release()
	go func() { polled <- o.pollLoad(sb.ctx, started, loadDone) }()
	res, err := cfg.load()(ctx, plan)
	close(loadDone)
	lt := <-polled
	if err != nil {
		return nil, err
	}
	loadEnd := res.End
	if loadEnd.IsZero() || loadEnd.Before(lt.start) {
		loadEnd = time.Now()
	}
	if lt.steady.IsZero() || !lt.steady.Before(loadEnd) {
		p.phase(capture.Span{Phase: capture.PhaseWarmup, Start: lt.start, End: loadEnd})
	} else {
		p.phase(capture.Span{Phase: capture.PhaseWarmup, Start: lt.start, End: lt.steady})
		p.phase(capture.Span{Phase: capture.PhaseSteady, Start: lt.steady, End: loadEnd})
	}
	if !lt.steadyEnd && len(cfg.Sources) > 0 {
		// Cancelled (or the load ended) before the steady-end capture.
		fctx, cancel := sb.final(ctx)
		p.captureAt(fctx, capture.MomentSteadyEnd, true, probe.ProfileGoroutine, probe.ProfileHeap)
		cancel()
	}
	o.drain(sb.ctx, loadEnd, sb)
	return res, nil
}

// failFastStop returns the plan's Stop for fail-fast: closed by the first
// early warning under load (the warner's failFast), or when stop (the
// plan's own, nil for none) is. Its goroutine ends with the load.
func (o *orchestrator) failFastStop(stop <-chan struct{}, loadDone <-chan struct{}) <-chan struct{} {
	out := make(chan struct{})
	var once sync.Once
	end := func() bool {
		fired := false
		once.Do(func() { close(out); fired = true })
		return fired
	}
	o.p.warn.failFast = func() bool {
		select {
		case <-loadDone:
			return false
		default:
			return end()
		}
	}
	if stop != nil {
		go func() {
			select {
			case <-stop:
				end()
			case <-loadDone:
			}
		}()
	}
	return out
}

// cancelledBeforeLoad is the engine result of a run cancelled during the
// baseline: no interval, Canceled set.
func (o *orchestrator) cancelledBeforeLoad(t0 time.Time) *engine.Result {
	res := engine.NewResult(engine.RunInfo{Start: t0, Host: o.cfg.Plan.Host}, nil, 0)
	res.Canceled = true
	return res
}

// pollUntil polls every source now and then every PollInterval until
// end (or ctx is done).
func (o *orchestrator) pollUntil(ctx context.Context, phase capture.Phase, end time.Time) {
	for {
		o.p.pollAll(ctx, phase)
		next := time.Now().Add(o.cfg.PollInterval)
		if !next.Before(end) && time.Now().Add(o.cfg.PollInterval/2).After(end) {
			return
		}
		if !clock.SleepUntil(ctx, minTime(next, end)) {
			return
		}
		if !time.Now().Before(end) {
			o.p.pollAll(ctx, phase)
			return
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

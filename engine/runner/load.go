package runner

import (
	"context"
	"slices"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/internal/clock"
	"github.com/soaklab/soak/probe"
)

// loadTimes is what the polling goroutine learnt of the load phase.
type loadTimes struct {
	start, steady time.Time
	steadyEnd     bool // the steady-end capture was taken
}

// pollLoad polls every source while the engine runs, labelling samples
// warm-up until the ramp and settling time are over and steady after, and
// (in a goroutine of its own, see captureOnTime) takes the steady-start,
// steady-mid, steady-end and steady heap captures on time. It returns
// when loadDone is closed and the capture in progress, if any, is done.
func (o *orchestrator) pollLoad(ctx context.Context, started <-chan engine.RunInfo, loadDone <-chan struct{}) loadTimes {
	var lt loadTimes
	var ri engine.RunInfo
	select {
	case ri = <-started:
	case <-loadDone:
		return loadTimes{start: time.Now()}
	}
	cfg := o.cfg
	lt.start = ri.Start
	o.p.phaseStart(capture.PhaseWarmup, ri.Start)
	load := ri.Duration
	lt.steady = warmupEnd(ri.Start, rampDuration(&cfg.Plan), cfg.Settle, load)
	loadEnd := ri.Start.Add(load)
	hasSteady := lt.steady.Before(loadEnd)
	var plan []scheduled
	if hasSteady && len(cfg.Sources) > 0 {
		plan = captureSchedule(lt.steady, loadEnd, cfg.PollInterval)
	}
	captured := make(chan bool, 1)
	go func() { captured <- o.captureOnTime(ctx, plan, loadDone) }()
	// The steady state's start is written when it comes, probe or not:
	// the loop wakes for it as for a tick.
	var steadyDue <-chan time.Time
	if hasSteady {
		t := time.NewTimer(time.Until(lt.steady))
		defer t.Stop()
		steadyDue = t.C
	}
	tick := time.NewTicker(cfg.PollInterval)
	defer tick.Stop()
	for {
		now := time.Now()
		phase := capture.PhaseWarmup
		if !now.Before(lt.steady) {
			phase = capture.PhaseSteady
		}
		if steadyDue != nil && phase == capture.PhaseSteady {
			o.p.phaseStart(capture.PhaseSteady, lt.steady)
			steadyDue = nil
		}
		if now.Before(loadEnd) { // past it the engine is stopping: the drain polls
			o.p.pollAll(ctx, phase)
		}
		select {
		case <-loadDone:
		case <-ctx.Done():
			<-loadDone
		case <-tick.C:
			continue
		case <-steadyDue:
			continue
		}
		lt.steadyEnd = <-captured
		return lt
	}
}

// captureSchedule is the captures of a steady state from steady to
// loadEnd, in time order. The steady-end capture must see the service
// under load: it is taken one poll interval (at most a tenth of the
// steady state) before the load ends.
func captureSchedule(steady, loadEnd time.Time, poll time.Duration) []scheduled {
	margin := min(poll, loadEnd.Sub(steady)/10)
	plan := []scheduled{
		{at: steady, moment: capture.MomentSteadyStart, kinds: []string{probe.ProfileGoroutine, probe.ProfileHeap}},
		{at: steady.Add(loadEnd.Sub(steady) / 2), moment: capture.MomentSteadyMid, leaks: true, kinds: []string{probe.ProfileGoroutine}},
		{at: loadEnd.Add(-margin), moment: capture.MomentSteadyEnd, leaks: true, kinds: []string{probe.ProfileGoroutine, probe.ProfileHeap}},
	}
	plan = append(plan, steadyHeaps(steady, loadEnd.Add(-margin), poll)...)
	slices.SortStableFunc(plan, func(a, b scheduled) int { return a.at.Compare(b.at) })
	return plan
}

// captureOnTime takes plan's captures, each when it is due (at once when
// an earlier one ran late), until the load is over or ctx is cancelled;
// it reports whether it took the steady-end capture. It runs beside the
// polls so that a slow capture (a heap profile forces a GC in process, a
// large heap takes seconds to write) does not thin out the samples: a
// short steady state would otherwise be left with too few to judge.
func (o *orchestrator) captureOnTime(ctx context.Context, plan []scheduled, loadDone <-chan struct{}) (steadyEnd bool) {
	for _, c := range plan {
		t := time.NewTimer(time.Until(c.at))
		select {
		case <-loadDone:
			t.Stop()
			return steadyEnd
		case <-ctx.Done():
			t.Stop()
			return steadyEnd
		case <-t.C:
		}
		o.p.captureAt(ctx, c.moment, c.leaks, c.kinds...)
		if c.moment == capture.MomentSteadyEnd {
			steadyEnd = true
		}
	}
	return steadyEnd
}

// steadyHeaps schedules the heap profiles taken between the steady
// state's start and its end capture, for the memory detector's per-site
// trend: evenly spread, at most capture.MaxSteadyHeaps, at least two poll
// intervals apart, none when the steady state is too short.
func steadyHeaps(start, end time.Time, poll time.Duration) []scheduled {
	n := min(capture.MaxSteadyHeaps, int(end.Sub(start)/(2*poll))-1)
	var out []scheduled
	for i := 1; i <= n; i++ {
		at := start.Add(end.Sub(start) * time.Duration(i) / time.Duration(n+1))
		out = append(out, scheduled{at: at, moment: capture.SteadyHeapMoment(i), kinds: []string{probe.ProfileHeap}})
	}
	return out
}

// scheduled is a capture due at a time.
type scheduled struct {
	at     time.Time
	moment capture.Moment
	leaks  bool
	kinds  []string
}

// drain leaves the service to quiesce after the load: it polls until no
// request is in flight and goroutines stopped falling (at least two
// polls), or Drain is over, then captures the drain-end profiles (a heap
// profile forces a GC in process) and takes a last sample. After a
// cancellation it takes the last capture and sample only, bounded by
// PollTimeout, and after a graceful stop by the stop's bound (sb; nil:
// none).
func (o *orchestrator) drain(ctx context.Context, start time.Time, sb *stopBound) {
	cfg, p := o.cfg, o.p
	p.phaseStart(capture.PhaseDrain, start)
	if len(cfg.Sources) == 0 {
		p.phase(capture.Span{Phase: capture.PhaseDrain, Start: start, End: time.Now()})
		return
	}
	if ctx.Err() == nil {
		end := time.Now().Add(cfg.Drain)
		var prev []*capture.Sample
		for polls := 0; ; polls++ {
			cur := p.pollAll(ctx, capture.PhaseDrain)
			if polls >= 1 && quiet(prev, cur) {
				break
			}
			prev = cur
			next := time.Now().Add(cfg.PollInterval)
			if next.After(end) || !clock.SleepUntil(ctx, next) {
				break
			}
		}
	}
	if sb == nil {
		sb = newStopBound(ctx, nil, 0)
		defer sb.release()
	}
	bg, cancel := sb.final(ctx)
	defer cancel()
	p.captureAt(bg, capture.MomentDrainEnd, true, probe.ProfileGoroutine, probe.ProfileHeap, probe.ProfileGoroutineLeak)
	p.pollAll(bg, capture.PhaseDrain)
	p.phase(capture.Span{Phase: capture.PhaseDrain, Start: start, End: time.Now()})
}

// quiet reports whether every source that answered both polls has no
// request in flight and no fewer goroutines than before.
func quiet(prev, cur []*capture.Sample) bool {
	for i := range cur {
		if i >= len(prev) || prev[i].Snapshot == nil || cur[i].Snapshot == nil {
			continue
		}
		a, b := prev[i].Snapshot, cur[i].Snapshot
		if b.HTTP.InFlight > 0 || b.Runtime.Goroutines < a.Runtime.Goroutines {
			return false
		}
	}
	return true
}

// warmupEnd returns when the warm-up of a run that started at start ends:
// the ramp (the time the plan takes to reach its users) plus settle,
// capped at the load's end.
func warmupEnd(start time.Time, ramp, settle, load time.Duration) time.Time {
	return start.Add(min(ramp+settle, load))
}

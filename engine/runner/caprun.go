package runner

import (
	"context"
	"sync"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis/capacity"
	"github.com/soaklab/soak/engine/capture"
)

// capRun is the state of one capacity search.
type capRun struct {
	cfg    *CapacityConfig
	cancel context.CancelFunc
	poll   *poller

	mu     sync.Mutex
	start  time.Time
	ivs    []*engine.Interval
	steps  []capacity.Step
	broken bool
}

// runCapacity runs plan's stepped load, measuring each step as the next
// one starts and cancelling the run at the breaking step. With sources,
// it polls them for a baseline before and a drain after, as Soak does.
func runCapacity(ctx context.Context, cfg *CapacityConfig, plan engine.Plan) (*capacity.Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := &capRun{cfg: cfg, cancel: cancel}
	pc := &Config{Sources: cfg.Sources, PollInterval: cfg.PollInterval, PollTimeout: min(cfg.PollInterval, 10*time.Second),
		Drain: DefaultDrain, Dir: cfg.Dir, Record: cfg.Record, OnSample: cfg.OnSample}
	c.poll = &poller{cfg: pc, cap: &capture.Capture{}}
	if len(cfg.Sources) > 0 {
		c.begin()
	}
	userOnInterval, userOnStart := plan.OnInterval, plan.OnStart
	plan.OnStart = func(ri engine.RunInfo) {
		c.mu.Lock()
		c.start = ri.Start
		c.mu.Unlock()
		if len(cfg.Sources) > 0 {
			c.poll.phaseStart(capture.PhaseWarmup, ri.Start)
		}
		if userOnStart != nil {
			userOnStart(ri)
		}
	}
	plan.OnInterval = func(iv *engine.Interval) {
		c.onInterval(iv)
		if userOnInterval != nil {
			userOnInterval(iv)
		}
	}
	stopPoll := make(chan struct{})
	var wg sync.WaitGroup
	if len(cfg.Sources) > 0 {
		wg.Add(1)
		go func() { defer wg.Done(); c.pollLoop(ctx, stopPoll) }()
	}
	// A Ctrl-C (plan.Stop) bounds the drain and its captures by
	// StopTimeout, as in Soak; the breaking step's cancel does not.
	sb := newStopBound(context.WithoutCancel(ctx), plan.Stop, plan.StopTimeout)
	defer sb.release()
	res, err := engine.Run(ctx, plan)
	close(stopPoll)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	if len(cfg.Sources) > 0 {
		c.end(ctx, res, sb)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.broken {
		c.measureRemaining()
	}
	out := c.result()
	out.Engine = res
	out.Partial = res.Ending() != engine.EndCompleted && !c.broken
	if len(cfg.Sources) > 0 {
		out.Capture = c.poll.cap
	}
	return out, nil
}

// begin records the configuration and environment and polls the
// sources once for a baseline.
func (c *capRun) begin() {
	p := c.poll
	names := make([]string, len(c.cfg.Sources))
	var local []string
	for i, s := range c.cfg.Sources {
		names[i] = s.Name()
		if _, ok := s.(inProcess); ok {
			local = append(local, s.Name())
		}
	}
	p.cap.Config = &capture.CaptureConfig{PollInterval: c.cfg.PollInterval, Settle: c.cfg.Settle, Drain: p.cfg.Drain,
		Sources: names, InProcess: local, Command: c.cfg.Command}
	p.cap.Environment = CollectEnvironment(c.cfg.Dir)
	if p.cfg.Record != nil {
		p.record(p.cfg.Record.Config(p.cap.Config))
		p.record(p.cfg.Record.Environment(p.cap.Environment))
	}
	t0 := time.Now()
	p.phaseStart(capture.PhaseBaseline, t0)
	p.pollAll(context.Background(), capture.PhaseBaseline)
	p.phase(capture.Span{Phase: capture.PhaseBaseline, Start: t0, End: time.Now()})
}

// end records the load's phases (the warm-up is the first step's
// settling time) and drains the sources as Soak does.
func (c *capRun) end(ctx context.Context, res *engine.Result, sb *stopBound) {
	c.mu.Lock()
	start := c.start
	c.mu.Unlock()
	loadEnd := res.End
	if start.IsZero() {
		start = time.Now()
	}
	if loadEnd.IsZero() || loadEnd.Before(start) {
		loadEnd = time.Now()
	}
	steady := start.Add(c.cfg.Settle)
	if steady.Before(loadEnd) {
		c.poll.phase(capture.Span{Phase: capture.PhaseWarmup, Start: start, End: steady})
		c.poll.phase(capture.Span{Phase: capture.PhaseSteady, Start: steady, End: loadEnd})
	} else {
		c.poll.phase(capture.Span{Phase: capture.PhaseWarmup, Start: start, End: loadEnd})
	}
	// The breaking step cancels ctx on purpose: the drain must still run
	// (sb's context is not ctx's), within StopTimeout after a Ctrl-C.
	o := &orchestrator{cfg: c.poll.cfg, p: c.poll}
	o.drain(sb.ctx, loadEnd, sb)
}

// pollLoop polls the sources until stop is closed: warm-up samples over
// the first step's settling time, steady after.
func (c *capRun) pollLoop(ctx context.Context, stop <-chan struct{}) {
	t := time.NewTicker(c.cfg.PollInterval)
	defer t.Stop()
	steadyStarted := false
	for {
		phase := capture.PhaseWarmup
		c.mu.Lock()
		start := c.start
		c.mu.Unlock()
		if !start.IsZero() && !time.Now().Before(start.Add(c.cfg.Settle)) {
			phase = capture.PhaseSteady
			if !steadyStarted {
				c.poll.phaseStart(capture.PhaseSteady, start.Add(c.cfg.Settle))
				steadyStarted = true
			}
		}
		c.poll.pollAll(ctx, phase)
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// stepOf returns the step an instant belongs to.
func (c *capRun) stepOf(t time.Time) int {
	return int(t.Sub(c.start) / c.cfg.StepDuration)
}

func (c *capRun) nSteps() int { return len(c.cfg.Users) + len(c.cfg.Rates) }

// onInterval collects intervals and measures a step as soon as an
// interval of the next one arrives; a broken step cancels the run.
func (c *capRun) onInterval(iv *engine.Interval) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.broken {
		return
	}
	c.ivs = append(c.ivs, iv)
	step := c.stepOf(iv.Start.Add(iv.Duration() / 2))
	for len(c.steps) < step && len(c.steps) < c.nSteps() {
		if c.measure(len(c.steps)) {
			c.broken = true
			c.cancel()
			return
		}
	}
}

// measureRemaining measures the steps the run reached but did not close.
func (c *capRun) measureRemaining() {
	for len(c.steps) < c.nSteps() && len(c.ivs) > 0 {
		last := c.ivs[len(c.ivs)-1]
		if c.stepOf(last.End.Add(-time.Nanosecond)) < len(c.steps) {
			return
		}
		if c.measure(len(c.steps)) {
			c.broken = true
			return
		}
	}
}

// measure appends step i's figures and reports whether it broke.
func (c *capRun) measure(i int) bool {
	from := c.start.Add(time.Duration(i)*c.cfg.StepDuration + c.cfg.Settle)
	to := c.start.Add(time.Duration(i+1) * c.cfg.StepDuration)
	c.poll.mu.Lock()
	st, measured := capacity.MeasureStep(c.ivs, from, to, &c.poll.cap.Timeline)
	c.poll.mu.Unlock()
	if i < len(c.cfg.Users) {
		st.Users = c.cfg.Users[i]
	} else {
		st.Rate = c.cfg.Rates[i]
	}
	if !measured {
		c.steps = append(c.steps, st)
		return false
	}
	st.Broke, st.Why = capacity.JudgeStep(&st, c.steps, orDefaultThresholds(c.cfg.Thresholds), c.cfg.MinGain)
	c.steps = append(c.steps, st)
	if c.cfg.OnStep != nil {
		c.cfg.OnStep(st)
	}
	return st.Broke
}

// result summarises the measured steps.
func (c *capRun) result() *capacity.Result {
	model := "users"
	if len(c.cfg.Rates) > 0 {
		model = "rate"
	}
	c.poll.mu.Lock()
	defer c.poll.mu.Unlock()
	return capacity.NewResult(model, c.steps, orDefaultThresholds(c.cfg.Thresholds), &c.poll.cap.Timeline)
}

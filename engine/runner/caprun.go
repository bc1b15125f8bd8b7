package runner

import (
	"context"
	"sync"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
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
	steps  []analysis.CapacityStep
	broken bool
}

// runCapacity runs plan's stepped load, measuring each step as the next
// one starts and cancelling the run at the breaking step.
func runCapacity(ctx context.Context, cfg *CapacityConfig, plan engine.Plan) (*analysis.CapacityResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c := &capRun{cfg: cfg, cancel: cancel}
	pc := &Config{Sources: cfg.Sources, PollInterval: cfg.PollInterval, PollTimeout: min(cfg.PollInterval, 10*time.Second)}
	c.poll = &poller{cfg: pc, cap: &capture.Capture{}}
	userOnInterval, userOnStart := plan.OnInterval, plan.OnStart
	plan.OnStart = func(ri engine.RunInfo) {
		c.mu.Lock()
		c.start = ri.Start
		c.mu.Unlock()
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
	res, err := engine.Run(ctx, plan)
	close(stopPoll)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.broken {
		c.measureRemaining()
	}
	out := c.result()
	out.Engine = res
	out.Partial = res.Ending() != engine.EndCompleted && !c.broken
	return out, nil
}

// pollLoop polls the sources until stop is closed.
func (c *capRun) pollLoop(ctx context.Context, stop <-chan struct{}) {
	t := time.NewTicker(c.cfg.PollInterval)
	defer t.Stop()
	for {
		c.poll.pollAll(ctx, capture.PhaseSteady)
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
	st, measured := analysis.MeasureStep(c.ivs, from, to, &c.poll.cap.Timeline)
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
	st.Broke, st.Why = analysis.JudgeStep(&st, c.steps, orDefaultThresholds(c.cfg.Thresholds), c.cfg.MinGain)
	c.steps = append(c.steps, st)
	if c.cfg.OnStep != nil {
		c.cfg.OnStep(st)
	}
	return st.Broke
}

// result summarises the measured steps.
func (c *capRun) result() *analysis.CapacityResult {
	model := "users"
	if len(c.cfg.Rates) > 0 {
		model = "rate"
	}
	c.poll.mu.Lock()
	defer c.poll.mu.Unlock()
	return analysis.NewCapacityResult(model, c.steps, orDefaultThresholds(c.cfg.Thresholds), &c.poll.cap.Timeline)
}

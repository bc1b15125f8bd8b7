package analysis

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/soaklab/soak/engine"
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
	steps  []CapacityStep
	broken bool
}

// runCapacity runs plan's stepped load, measuring each step as the next
// one starts and cancelling the run at the breaking step.
func runCapacity(ctx context.Context, cfg *CapacityConfig, plan engine.Plan) (*CapacityResult, error) {
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
	var in []*engine.Interval
	for _, iv := range c.ivs {
		mid := iv.Start.Add(iv.Duration() / 2)
		if !mid.Before(from) && mid.Before(to) {
			in = append(in, iv)
		}
	}
	st := CapacityStep{CPU: -1, PoolUtilization: -1}
	if i < len(c.cfg.Users) {
		st.Users = c.cfg.Users[i]
	} else {
		st.Rate = c.cfg.Rates[i]
	}
	w := engine.Window(in...)
	if w == nil {
		c.steps = append(c.steps, st)
		return false
	}
	st.Start, st.End = w.Start, w.End
	t := w.Total()
	st.Requests = t.Requests
	if d := w.Duration().Seconds(); d > 0 {
		st.Throughput = float64(t.Requests) / d
	}
	st.P50 = time.Duration(t.Percentile(50)) * time.Microsecond
	st.P95 = time.Duration(t.Percentile(95)) * time.Microsecond
	st.P99 = time.Duration(t.Percentile(99)) * time.Microsecond
	if t.Requests > 0 {
		st.ErrorRate = float64(t.Failures()) / float64(t.Requests)
	}
	c.serverFigures(&st)
	st.Broke, st.Why = c.broke(&st)
	c.steps = append(c.steps, st)
	if c.cfg.OnStep != nil {
		c.cfg.OnStep(st)
	}
	return st.Broke
}

// broke says whether st breaks a target or shows throughput no longer
// rising.
func (c *capRun) broke(st *CapacityStep) (bool, string) {
	th := orDefaultThresholds(c.cfg.Thresholds)
	switch {
	case st.Requests == 0:
		return true, "no request completed"
	case th.P95 > 0 && st.P95 > th.P95:
		return true, fmt.Sprintf("p95 %s above the %s target", ms(st.P95), ms(th.P95))
	case th.ErrorRate > 0 && st.ErrorRate > th.ErrorRate:
		return true, fmt.Sprintf("error rate %s above the %s target", pct(st.ErrorRate), pct(th.ErrorRate))
	}
	best := 0.0
	for _, s := range c.steps {
		best = math.Max(best, s.Throughput)
	}
	if len(c.steps) > 0 && st.Throughput < best*(1+c.cfg.MinGain) {
		return true, fmt.Sprintf("throughput stopped rising: %.1f RPS, best before %.1f RPS (less than %.0f%% more)",
			st.Throughput, best, 100*c.cfg.MinGain)
	}
	return false, ""
}

// serverFigures fills a step's CPU and pool figures from the probe
// points inside it.
func (c *capRun) serverFigures(st *CapacityStep) {
	c.poll.mu.Lock()
	defer c.poll.mu.Unlock()
	for _, s := range c.poll.cap.Timeline.Sources {
		var in []capture.Point
		for _, p := range s.Points {
			if !p.Time.Before(st.Start) && !p.Time.After(st.End) {
				in = append(in, p)
			}
		}
		if len(in) < 2 {
			continue
		}
		first, last := in[0], in[len(in)-1]
		if dt := last.Time.Sub(first.Time).Seconds(); dt > 0 && last.Cores > 0 && last.CPUSeconds > 0 {
			st.CPU = math.Max(st.CPU, (last.CPUSeconds-first.CPUSeconds)/dt/last.Cores)
		}
		for _, p := range in {
			for _, pp := range p.Pools {
				if pp.Max > 0 {
					st.PoolUtilization = math.Max(st.PoolUtilization, float64(pp.Acquired)/float64(pp.Max))
				}
			}
		}
		for _, lp := range last.Pools {
			if fp := first.Pool(lp.Name); fp != nil {
				st.PoolWaits += lp.EmptyAcquire - fp.EmptyAcquire
			}
		}
	}
}

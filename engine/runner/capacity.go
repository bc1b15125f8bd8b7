package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/analysis/capacity"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/internal/redact"
)

// Defaults of [CapacityConfig].
const (
	DefaultStepDuration = time.Minute
	DefaultMinGain      = 0.05
	MaxCapacitySteps    = 100
)

// CapacityConfig is a stepped load that looks for the breaking point
// (`soak capacity`).
type CapacityConfig struct {
	// Plan says whom to load and with which users (Host or Handler,
	// Classes, Transport, RunID). Its Load and Duration are replaced by
	// the steps; its OnInterval is still called.
	Plan engine.Plan
	// Users are the closed model's steps (users at each step, rising),
	// or Rates the open model's (arrivals per second, rising): exactly
	// one of the two. [StepUsers] builds an arithmetic list.
	Users []int
	Rates []float64
	// StepDuration is how long each step lasts. Default 1 min, at least
	// 5 s.
	StepDuration time.Duration
	// SpawnRate is how fast users start between steps (users/s). Zero
	// starts each step's new users at once.
	SpawnRate float64
	// Settle is the start of each step that is not measured (users
	// spawning, queues forming). Default: 25 % of StepDuration.
	Settle time.Duration
	// MinGain is how much a step's throughput must exceed the best so
	// far for throughput to count as still rising. Default 0.05 (5 %).
	MinGain float64
	// Thresholds: a step breaks when its p95 or error rate breaks its
	// target. Nil means [analysis.DefaultThresholds] (500 ms, 0.5 %); a zero
	// field turns that target off.
	Thresholds *analysis.Thresholds
	// Sources, when set, are polled (every PollInterval, default 2 s) to
	// tell what saturated first: CPU, a pool. They are also read once
	// before the load (the baseline) and after it until they are quiet
	// (a drain of at most DefaultDrain, with the drain-end profiles and
	// leak report), so that the result's Capture can be analysed as a
	// soak's is: the warm-up is the first step's Settle, the steady state
	// the rest of the stepped load.
	Sources      []Source
	PollInterval time.Duration
	// Dir, Record, OnSample and Command are as in [Config]: where profiles
	// are saved, the writer every sample and phase is appended to as it
	// happens, a live display's callback, the command line for the
	// report.
	Dir      string
	Record   *capture.RecordWriter
	OnSample func(*capture.Sample)
	Command  string
	// OnStep, when set, is called with every measured step (a progress
	// display), on the engine's interval goroutine.
	OnStep func(capacity.Step)
}

// StepUsers returns start, start+step, ... up to max (inclusive), at most
// MaxCapacitySteps values.
func StepUsers(start, step, max int) []int {
	var out []int
	for u := start; u <= max && step > 0 && len(out) < MaxCapacitySteps; u += step {
		out = append(out, u)
	}
	return out
}

// withDefaults validates c and fills its zero fields.
func (c CapacityConfig) withDefaults() (CapacityConfig, error) {
	bad := func(field, format string, args ...any) (CapacityConfig, error) {
		return c, fmt.Errorf("%w: %s: %s", ErrConfig, field, fmt.Sprintf(format, args...))
	}
	switch {
	case len(c.Users) == 0 && len(c.Rates) == 0:
		return bad("CapacityConfig.Users", "no steps (set Users or Rates)")
	case len(c.Users) > 0 && len(c.Rates) > 0:
		return bad("CapacityConfig.Rates", "set Users or Rates, not both")
	case len(c.Users)+len(c.Rates) > MaxCapacitySteps:
		return bad("CapacityConfig.Users", "%d steps, at most %d", len(c.Users)+len(c.Rates), MaxCapacitySteps)
	}
	for i, u := range c.Users {
		if u <= 0 || (i > 0 && u <= c.Users[i-1]) {
			return bad(fmt.Sprintf("CapacityConfig.Users[%d]", i), "%d: steps must be positive and rising", u)
		}
	}
	for i, r := range c.Rates {
		if !(r > 0) || (i > 0 && r <= c.Rates[i-1]) {
			return bad(fmt.Sprintf("CapacityConfig.Rates[%d]", i), "%v: steps must be positive and rising", r)
		}
	}
	switch {
	case c.StepDuration == 0:
		c.StepDuration = DefaultStepDuration
	case c.StepDuration < 5*time.Second:
		return bad("CapacityConfig.StepDuration", "%v is below 5s", c.StepDuration)
	}
	switch {
	case c.Settle == 0:
		c.Settle = c.StepDuration / 4
	case c.Settle < 0 || c.Settle >= c.StepDuration:
		return bad("CapacityConfig.Settle", "%v is outside 0..StepDuration (%v)", c.Settle, c.StepDuration)
	}
	switch {
	case c.MinGain == 0:
		c.MinGain = DefaultMinGain
	case c.MinGain < 0 || c.MinGain > 1:
		return bad("CapacityConfig.MinGain", "%v is outside 0..1", c.MinGain)
	}
	if c.SpawnRate < 0 {
		return bad("CapacityConfig.SpawnRate", "%v is negative", c.SpawnRate)
	}
	if c.Thresholds != nil {
		if err := c.Thresholds.Validate(); err != nil {
			return c, fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	switch {
	case c.PollInterval == 0:
		c.PollInterval = DefaultPollInterval
	case c.PollInterval < MinPollInterval || c.PollInterval > MaxPollInterval:
		return bad("CapacityConfig.PollInterval", "%v is outside %v..%v", c.PollInterval, MinPollInterval, MaxPollInterval)
	}
	return c, nil
}

// Capacity runs the stepped load of cfg and stops at the breaking point:
// the first step whose p95 or error rate breaks its target, or whose
// throughput is not at least MinGain above the best step before it. It
// then fits the Universal Scalability Law to the steps and says how to
// scale. Cancelling ctx returns the steps measured so far, Partial set.
// It returns an error only for a bad configuration.
func Capacity(ctx context.Context, cfg CapacityConfig) (*capacity.Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	plan := cfg.Plan
	plan.Duration = 0
	if len(cfg.Users) > 0 {
		st := make([]engine.Stage, len(cfg.Users))
		for i, u := range cfg.Users {
			st[i] = engine.Stage{Duration: cfg.StepDuration, Users: u}
		}
		plan.Load = engine.Closed{Stages: st, SpawnRate: cfg.SpawnRate}
	} else {
		st := make([]engine.RateStage, len(cfg.Rates))
		for i, r := range cfg.Rates {
			st[i] = engine.RateStage{Duration: cfg.StepDuration, Rate: r}
		}
		plan.Load = engine.Open{Stages: st}
	}
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	cfg.Command = redact.Command(cfg.Command)
	return runCapacity(ctx, &cfg, plan)
}

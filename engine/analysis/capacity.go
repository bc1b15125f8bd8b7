package analysis

import (
	"context"
	"fmt"
	"time"

	"github.com/soaklab/soak/engine"
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
	// target. Nil means [DefaultThresholds] (500 ms, 0.5 %); a zero
	// field turns that target off.
	Thresholds *Thresholds
	// Sources, when set, are polled (every PollInterval, default 2 s) to
	// tell what saturated first: CPU, a pool.
	Sources      []Source
	PollInterval time.Duration
	// OnStep, when set, is called with every measured step (a progress
	// display), on the engine's interval goroutine.
	OnStep func(CapacityStep)
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

// CapacityStep is one measured step.
type CapacityStep struct {
	Users int     `json:"users,omitempty"` // closed model
	Rate  float64 `json:"rate,omitempty"`  // open model: offered arrivals/s
	// Start and End bound the measured part of the step (after Settle).
	Start      time.Time     `json:"start"`
	End        time.Time     `json:"end"`
	Requests   int64         `json:"requests"`
	Throughput float64       `json:"throughput"` // completed requests per second
	P50        time.Duration `json:"p50_ns"`
	P95        time.Duration `json:"p95_ns"`
	P99        time.Duration `json:"p99_ns"`
	ErrorRate  float64       `json:"error_rate"`
	// CPU is the service's CPU use over the step as a fraction of its
	// cores, PoolUtilization the busiest pool's peak acquired/max, and
	// PoolWaits its empty acquires; -1 when no probe measured them.
	CPU             float64 `json:"cpu"`
	PoolUtilization float64 `json:"pool_utilization"`
	PoolWaits       int64   `json:"pool_waits"`
	// Broke is set on the breaking step; Why says which target broke.
	Broke bool   `json:"broke"`
	Why   string `json:"why,omitempty"`
}

// Concurrency is Users, or Rate for the open model.
func (s *CapacityStep) Concurrency() float64 {
	if s.Users > 0 {
		return float64(s.Users)
	}
	return s.Rate
}

// CapacityResult is a capacity search's outcome: the seed's Capacity
// Planning and Scaling Recommendations.
type CapacityResult struct {
	// Model is "users" (closed) or "rate" (open).
	Model string         `json:"model"`
	Steps []CapacityStep `json:"steps"`
	// MaxUsers is the most users (or the highest rate) of a step that met
	// every target; MaxRPS the highest throughput of such a step.
	MaxUsers int     `json:"max_users"`
	MaxRate  float64 `json:"max_rate,omitempty"`
	MaxRPS   float64 `json:"max_rps"`
	// Broke is set when a step broke; BreakingPoint is its users (or
	// rate) and Why the reason. Unset: no step broke up to the last one.
	Broke         bool    `json:"broke"`
	BreakingPoint float64 `json:"breaking_point"`
	Why           string  `json:"why,omitempty"`
	// USL is the Universal Scalability Law fitted to the steps (nil with
	// fewer than 3 usable steps; USLError says why).
	USL      *USL   `json:"usl,omitempty"`
	USLError string `json:"usl_error,omitempty"`
	// Peak says in words where throughput peaks: within the measured
	// steps, or "no peak within the measured range: throughput still
	// rising at 30 users" and what the fit extrapolates. "" without a fit.
	Peak string `json:"peak,omitempty"`
	// Bottlenecks lists what limited the service, most telling first.
	Bottlenecks []string `json:"bottlenecks"`
	// Scaling is the seed's Scaling Recommendations.
	Scaling Scaling `json:"scaling"`
	// Partial is set when the search ended before its last step without
	// a breaking point: the context was cancelled or Plan.Stop stopped it.
	Partial bool `json:"partial"`
	// Engine is the whole stepped run, client side.
	Engine *engine.Result `json:"-"`
}

// Scaling is the seed's Scaling Recommendations, each from evidence.
type Scaling struct {
	Horizontal string `json:"horizontal"`
	Vertical   string `json:"vertical"`
	Database   string `json:"database"`
	Cache      string `json:"cache"`
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
func Capacity(ctx context.Context, cfg CapacityConfig) (*CapacityResult, error) {
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
	return runCapacity(ctx, &cfg, plan)
}

package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/internal/redact"
)

// Defaults and bounds of [Config].
const (
	DefaultPollInterval = 2 * time.Second
	MinPollInterval     = 100 * time.Millisecond
	MaxPollInterval     = time.Minute
	// DefaultSettleFraction of the load duration is added to the ramp as
	// warm-up when Config.Settle is zero, at most MaxDefaultSettle.
	DefaultSettleFraction = 0.1
	MaxDefaultSettle      = 3 * time.Minute
	// DefaultDrain is the longest the service is left to quiesce after
	// the load stops (it ends earlier once requests in flight are 0 and
	// goroutines stop falling); MaxDrain bounds Config.Drain.
	DefaultDrain = 15 * time.Second
	MaxDrain     = 10 * time.Minute
	// MaxSources bounds Config.Sources.
	MaxSources = 64
)

// ErrConfig is wrapped by every error of a bad [Config]; the message names
// the field.
var ErrConfig = errors.New("runner: bad config")

// Config is one soak: the engine's plan, the probes to poll, the phases'
// lengths, and the targets. The zero value of every field but Plan is
// documented and valid.
type Config struct {
	// Plan is the load (see engine.Plan). Its OnStart and OnInterval
	// callbacks are kept and called as the engine documents.
	Plan engine.Plan
	// Sources are the probes of the service's replicas ([InProcess],
	// [Remote]). None: the report has the client side only and says so.
	Sources []Source
	// PollInterval is how often every source is polled: default 2 s,
	// from 100 ms to 1 min.
	PollInterval time.Duration
	// PollTimeout bounds one poll of one source. Default: PollInterval,
	// at most 10 s.
	PollTimeout time.Duration
	// Baseline is how long the service is polled before any load.
	// Default: 3 poll intervals; at least one poll is always taken.
	Baseline time.Duration
	// Settle is the time after the ramp (users spawned) before the
	// steady state starts. Default: 10 % of the load duration, at most
	// 3 min. Negative means no settling time.
	Settle time.Duration
	// Drain is the longest the service is left to quiesce after the load
	// stops. Default 15 s, at most 10 min. The drain ends sooner once no
	// request is in flight and goroutines stopped falling.
	Drain time.Duration
	// Thresholds are the targets. Nil means [analysis.DefaultThresholds] (the
	// seed's); a zero field turns its target off.
	Thresholds *analysis.Thresholds
	// Dir, when set, is where profiles are saved (Dir/profiles/...),
	// beside the report; empty keeps them in memory only
	// (Result.Capture.Profiles[i].Data).
	Dir string
	// Record, when set, receives every sample, phase, leak report,
	// profile reference and the environment as they happen (the CLI
	// appends them to disk; [capture.ReadCapture] reads them back).
	Record *capture.RecordWriter
	// OnSample, when set, is called with every sample on the polling
	// goroutine (a live display). It must not keep the sample.
	OnSample func(*capture.Sample)
	// OnWarning, when set, is called on the polling goroutine with every
	// early warning when first raised (see capture.Warning and
	// watch.Watcher for the rules): a live display, a log line. Later
	// polls that see it again are counted in the capture, not called.
	OnWarning func(capture.Warning)
	// FailFast ends the load at the first early warning, as closing
	// Plan.Stop does (requests in flight finish within StopTimeout, then
	// the drain, captures and analysis as usual); the warning is marked
	// EndedRun and the run is unhealthy (analysis.ExitUnstable). A
	// warning after the load changes nothing. Without Sources it has
	// nothing to act on.
	FailFast bool
	// Command is the command line that ran the soak, secrets removed, for
	// the report's Execution Command and Test Execution Instructions.
	Command string
	// Policy is how the run is judged beyond its targets: ClientOnly
	// accepts a verdict without server-side checks (no Sources, or none
	// answering), StrictTargets fails a throughput target the plan
	// cannot reach (see analysis.Policy). The zero value is the default.
	Policy analysis.Policy
	// Scenario says what the users do (a scenario file, quick mode's
	// URLs), for the report's Test Execution Instructions; "" for a plan
	// built in Go.
	Scenario string
	// Load applies the plan's load and returns what it measured, as
	// engine.Run does; nil means engine.Run. A distributed run puts here
	// a coordinator that runs the plan on workers and merges their
	// intervals (engine/natsfleet). It must behave as engine.Run does:
	// call Plan.OnStart once before any load, hand every interval to
	// Plan.OnInterval in order before it returns, honour Plan.Stop and
	// ctx, and return a complete Result.
	Load func(ctx context.Context, p engine.Plan) (*engine.Result, error)
}

// load is Config.Load, or engine.Run.
func (c *Config) load() func(context.Context, engine.Plan) (*engine.Result, error) {
	if c.Load != nil {
		return c.Load
	}
	return engine.Run
}

// withDefaults validates c and fills its zero fields; errors name the
// field and wrap ErrConfig.
func (c Config) withDefaults() (Config, error) {
	bad := func(field, format string, args ...any) (Config, error) {
		return c, fmt.Errorf("%w: %s: %s", ErrConfig, field, fmt.Sprintf(format, args...))
	}
	if err := c.Plan.Validate(); err != nil {
		return c, err
	}
	if c.Thresholds != nil {
		if err := c.Thresholds.Validate(); err != nil {
			return c, fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	if len(c.Sources) > MaxSources {
		return bad("Config.Sources", "%d sources, at most %d", len(c.Sources), MaxSources)
	}
	seen := map[string]bool{}
	for i, s := range c.Sources {
		if s == nil {
			return bad(fmt.Sprintf("Config.Sources[%d]", i), "nil")
		}
		n := s.Name()
		if n == "" || seen[n] {
			return bad(fmt.Sprintf("Config.Sources[%d]", i), "name %q is empty or repeated (name replicas apart)", n)
		}
		seen[n] = true
	}
	switch {
	case c.PollInterval == 0:
		c.PollInterval = DefaultPollInterval
	case c.PollInterval < MinPollInterval || c.PollInterval > MaxPollInterval:
		return bad("Config.PollInterval", "%v is outside %v..%v", c.PollInterval, MinPollInterval, MaxPollInterval)
	}
	switch {
	case c.PollTimeout == 0:
		c.PollTimeout = min(c.PollInterval, 10*time.Second)
	case c.PollTimeout < 0:
		return bad("Config.PollTimeout", "%v is negative", c.PollTimeout)
	}
	switch {
	case c.Baseline == 0:
		c.Baseline = 3 * c.PollInterval
	case c.Baseline < 0:
		return bad("Config.Baseline", "%v is negative", c.Baseline)
	}
	load := planDuration(&c.Plan)
	switch {
	case c.Settle == 0:
		c.Settle = min(time.Duration(DefaultSettleFraction*float64(load)), MaxDefaultSettle)
	case c.Settle < 0:
		c.Settle = 0
	}
	switch {
	case c.Drain == 0:
		c.Drain = DefaultDrain
	case c.Drain < 0 || c.Drain > MaxDrain:
		return bad("Config.Drain", "%v is outside 0..%v", c.Drain, MaxDrain)
	}
	c.Command = redact.Command(c.Command)
	return c, nil
}

// planDuration is the plan's load duration (Duration, or its stages').
func planDuration(p *engine.Plan) time.Duration {
	if p.Duration > 0 {
		return p.Duration
	}
	var d time.Duration
	switch l := p.Load.(type) {
	case engine.Closed:
		for _, s := range l.Stages {
			d += s.Duration
		}
	case engine.Open:
		for _, s := range l.Stages {
			d += s.Duration
		}
	}
	return d
}

// rampDuration is how long the plan takes to reach its (first stage's)
// users: users / spawn rate; 0 for the open model and for spawning all
// at once.
func rampDuration(p *engine.Plan) time.Duration {
	l, ok := p.Load.(engine.Closed)
	if !ok || l.SpawnRate <= 0 {
		return 0
	}
	users := l.Users
	if len(l.Stages) > 0 {
		users = l.Stages[0].Users
	}
	return time.Duration(float64(users) / l.SpawnRate * float64(time.Second))
}

// orDefaultThresholds returns *t, or the seed's targets when t is nil.
func orDefaultThresholds(t *analysis.Thresholds) analysis.Thresholds {
	if t == nil {
		return analysis.DefaultThresholds()
	}
	return *t
}

package scenario

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/soaklab/soak/engine"
)

// Options override parts of a scenario when it becomes a plan, as the
// CLI's flags do. The zero value overrides nothing.
type Options struct {
	// Host replaces Scenario.Host when not empty (--host).
	Host string
	// Handler, when set, is served in-process by the engine and Host is
	// ignored (engine.Plan.Handler): for go test.
	Handler http.Handler
	// AllowRemote permits a host that is not loopback
	// (engine.Plan.AllowRemote).
	AllowRemote bool
	// Load replaces Scenario.Load when not nil (--users, --rate, --stages).
	Load engine.Load
	// Duration replaces Scenario.Duration when positive (--duration).
	Duration time.Duration
	// Wait, when not nil, replaces every class's wait (--wait); use
	// engine.Constant{} for no pause.
	Wait engine.Wait
	// MaxRPS replaces Scenario.MaxRPS when positive (--max-rps).
	MaxRPS float64
}

// ErrNoLoad is returned by Plan when neither the scenario nor the options
// give a load model.
var ErrNoLoad = errors.New("scenario: no load: set load: in the scenario, or users or rate in the options (--users, --rate)")

// ErrNoHost is returned by Plan when neither the scenario nor the options
// give a host (or a handler).
var ErrNoHost = errors.New("scenario: no host: set host: in the scenario, or the host in the options (--host)")

// ErrNoDuration is returned by Plan when there is no duration and the
// load has no stages to imply one.
var ErrNoDuration = errors.New("scenario: no duration: set duration: in the scenario, load stages, or the duration in the options (--duration)")

// Plan validates the scenario and builds the engine plan that runs it,
// with opts applied. Each call compiles afresh: the returned plan has its
// own run state (round-robin positions, users' buffers) and may be run
// once or several times, one run at a time or concurrently. The plan's
// tasks render each request from templates compiled here, so nothing is
// parsed while load runs.
//
// The caller may set the plan's other fields (RunID, Interval,
// OnInterval, ...) before engine.Run.
func (s *Scenario) Plan(opts Options) (engine.Plan, error) {
	if err := s.Validate(); err != nil {
		return engine.Plan{}, err
	}
	r := &reporter{file: s.File, pos: s.positions()}
	c := s.compile(r)
	if err := r.probs.err(); err != nil {
		return engine.Plan{}, err
	}
	p := engine.Plan{
		Host:        s.Host,
		Handler:     opts.Handler,
		AllowRemote: opts.AllowRemote,
		Load:        s.Load,
		Duration:    s.Duration,
		StopTimeout: s.StopTimeout,
		MaxRPS:      s.MaxRPS,
		Transport:   engine.Transport{Timeout: s.Timeout},
	}
	if opts.Host != "" {
		p.Host = opts.Host
	}
	if opts.Load != nil {
		p.Load = opts.Load
	}
	if opts.Duration > 0 {
		p.Duration = opts.Duration
	}
	if opts.MaxRPS > 0 {
		p.MaxRPS = opts.MaxRPS
	}
	switch {
	case p.Load == nil:
		return engine.Plan{}, ErrNoLoad
	case p.Host == "" && p.Handler == nil:
		return engine.Plan{}, ErrNoHost
	case p.Duration == 0 && engine.StagesDuration(p.Load) == 0:
		return engine.Plan{}, ErrNoDuration
	}
	for i, cl := range s.classes {
		p.Classes = append(p.Classes, s.engineClass(c, cl, c.classes[i], opts.Wait))
	}
	if err := p.Validate(); err != nil {
		return engine.Plan{}, fmt.Errorf("scenario %s: %w", s.File, err)
	}
	return p, nil
}

// engineClass builds the engine.Class of one class.
func (s *Scenario) engineClass(c *compiled, cl *class, rc *runClass, wait engine.Wait) engine.Class {
	ec := engine.Class{
		Name:       cl.name,
		Weight:     cl.weight,
		Fixed:      cl.fixed,
		Wait:       s.wait,
		Header:     http.Header{},
		OnStart:    c.start(rc),
		OnStop:     c.stop(rc),
		Sequential: cl.sequential,
	}
	if cl.waitSet {
		ec.Wait = cl.wait
	}
	if wait != nil {
		ec.Wait = wait
	}
	for _, h := range rc.defaults {
		if h.slot < 0 {
			ec.Header[h.name] = h.static
		}
	}
	for i, t := range cl.tasks {
		name := t.name
		if name == "" && len(rc.tasks[i]) == 1 {
			name = t.steps[0].method + " " + rc.tasks[i][0].name
		}
		ec.Tasks = append(ec.Tasks, engine.Task{Name: name, Weight: t.weight, Do: c.taskFunc(rc, rc.tasks[i]),
			Requests: len(rc.tasks[i])})
		if t.weight == 0 {
			continue // turned off: not what the class requests
		}
		for _, st := range rc.tasks[i] {
			e := engine.Endpoint{Method: st.method, Name: st.name}
			if !slices.Contains(ec.Endpoints, e) {
				ec.Endpoints = append(ec.Endpoints, e)
			}
		}
	}
	return ec
}

// Validate checks the scenario, its exported fields as they are now
// included, and returns every problem at once as [Problems], each with
// file:line:column (when parsed from a file) and the field's YAML path.
// It returns nil for a valid scenario. Plan calls it.
func (s *Scenario) Validate() error {
	r := &reporter{file: s.File, pos: s.positions()}
	s.check(r)
	return r.probs.err()
}

// check reports every problem of the scenario as it is now to r.
func (s *Scenario) check(r *reporter) {
	if s.Host != "" {
		if err := engineCheck(engine.Plan{Host: s.Host, AllowRemote: true}); err != nil {
			r.field("host", "%s", err.msg)
		}
	}
	probe := engine.Plan{Load: s.Load, Duration: s.Duration, StopTimeout: s.StopTimeout, MaxRPS: s.MaxRPS,
		Transport: engine.Transport{Timeout: s.Timeout}}
	if probe.Load == nil {
		probe.Load = engine.Closed{Users: 1}
	}
	if probe.Duration == 0 {
		probe.Duration = time.Hour // a missing duration may come from the options
	}
	if err := engineCheck(probe); err != nil {
		r.field(err.field, "%s", err.msg)
	}
	validateThresholds(&s.Thresholds, r)
	s.compile(r)
}

func (s *Scenario) positions() positions {
	if s.rep == nil {
		return positions{}
	}
	return s.rep.pos
}

// engineError is an engine.Plan.Validate error with the field in YAML
// terms: "Load.Stages[2].Users" becomes "load.stages[2].users".
type engineError struct{ field, msg string }

// engineCheck validates the parts of p that are set, with a stand-in host
// and class, and translates the engine's field names.
func engineCheck(p engine.Plan) *engineError {
	if p.Host == "" {
		p.Handler = http.NotFoundHandler()
	}
	if p.Load == nil {
		p.Load, p.Duration = engine.Closed{Users: 1}, time.Hour
	}
	p.Classes = []engine.Class{{Name: "c", Weight: 1, Tasks: []engine.Task{{Weight: 1, Do: func(context.Context, *engine.User) error { return nil }}}}}
	err := p.Validate()
	if err == nil {
		return nil
	}
	msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), engine.ErrPlan.Error()), ": ")
	field, rest, ok := strings.Cut(msg, ": ")
	if !ok {
		return &engineError{msg: msg}
	}
	return &engineError{field: snake(field), msg: rest}
}

// snake turns an engine field path into the YAML one.
func snake(field string) string {
	var b strings.Builder
	for i := 0; i < len(field); i++ {
		c := field[i]
		if c >= 'A' && c <= 'Z' {
			if i > 0 && field[i-1] != '.' {
				b.WriteByte('_')
			}
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	out := b.String()
	return strings.NewReplacer("transport.timeout", "timeout", "max_r_p_s", "max_rps").Replace(out)
}

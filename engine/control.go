package engine

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// MaxControlUsers and MaxControlRate bound what a [Control] may set: a
// steering mistake (an extra zero typed in a browser) must not start a
// million users.
const (
	MaxControlUsers = 100_000
	MaxControlRate  = 1_000_000.0
)

// maxIntervalChanges bounds Interval.Changes in a decoded interval.
const maxIntervalChanges = 10_000

// Errors of [Control]'s setters.
var (
	ErrNotRunning = errors.New("engine: no load is running under this control")
	ErrWrongModel = errors.New("engine: the change does not fit the run's load model")
)

// Change is a change of the load made through a [Control] while a run
// went on: a stage boundary that was not planned. The interval in which
// the engine applied it lists it in Interval.Changes, so the saved
// intervals keep it and [Result.Changes] lists them all.
type Change struct {
	At    time.Time `json:"at"`              // when the engine applied it
	Users int       `json:"users,omitempty"` // closed model: the users to move to (0 with Rate set)
	Rate  float64   `json:"rate,omitempty"`  // open model: the arrivals per second from At
	// Zero is set for a change to no users, which Users alone (omitted
	// when 0) cannot say.
	Zero bool `json:"zero,omitempty"`
}

// String writes c as the report says it: "users changed to 50" or "rate
// changed to 200/s".
func (c Change) String() string {
	if c.Rate > 0 {
		return fmt.Sprintf("rate changed to %g/s", c.Rate)
	}
	return fmt.Sprintf("users changed to %d", c.Users)
}

// Control changes the load of a running [Run] from another goroutine:
// the number of users (closed model) or the arrival rate (open model).
// Put it in Plan.Control; one Control serves one run at a time. A change
// takes effect at once (the users move to it at the plan's SpawnRate,
// also from the middle of a ramp; an open-model change, at the next
// arrival) and holds until the next planned stage begins, which then
// applies as planned, or until the load ends. Its methods are safe for concurrent
// use; the zero value is not usable, use [NewControl].
type Control struct {
	wake chan struct{} // cap 1: a change is waiting

	mu      sync.Mutex
	model   string // "closed" or "open" while a run uses it, else ""
	pending *Change
}

// NewControl returns a Control for Plan.Control.
func NewControl() *Control { return &Control{wake: make(chan struct{}, 1)} }

// SetUsers asks the running closed-model load to move to n users. It
// returns ErrNotRunning before the run starts or after its load ended,
// ErrWrongModel for an open-model run, and an error for n outside
// 0..MaxControlUsers.
func (c *Control) SetUsers(n int) error {
	if n < 0 || n > MaxControlUsers {
		return fmt.Errorf("engine: users %d outside 0..%d", n, MaxControlUsers)
	}
	return c.set("closed", Change{Users: n, Zero: n == 0})
}

// SetRate asks the running open-model load to release r arrivals per
// second. Errors as [Control.SetUsers], for r outside (0, MaxControlRate].
func (c *Control) SetRate(r float64) error {
	if !(r > 0 && r <= MaxControlRate) || math.IsInf(r, 0) {
		return fmt.Errorf("engine: rate %g outside (0, %g]", r, MaxControlRate)
	}
	return c.set("open", Change{Rate: r})
}

// Model is the load model of the run the control steers: "closed",
// "open", or "" when no load runs.
func (c *Control) Model() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.model
}

func (c *Control) set(model string, ch Change) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch c.model {
	case "":
		return ErrNotRunning
	case model:
	default:
		return fmt.Errorf("%w: the run is %s-model", ErrWrongModel, c.model)
	}
	c.pending = &ch
	select {
	case c.wake <- struct{}{}:
	default:
	}
	return nil
}

// attach marks the control in use by a run of model; detach ends it.
func (c *Control) attach(model string) {
	c.mu.Lock()
	c.model, c.pending = model, nil
	c.mu.Unlock()
	select {
	case <-c.wake:
	default:
	}
}

func (c *Control) detach() {
	c.mu.Lock()
	c.model, c.pending = "", nil
	c.mu.Unlock()
}

// take returns the waiting change, if any.
func (c *Control) take() (Change, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending == nil {
		return Change{}, false
	}
	ch := *c.pending
	c.pending = nil
	return ch, true
}

// changes returns the channel that is ready when a change waits; nil
// (never ready) without a control.
func (r *runner) changes() <-chan struct{} {
	if r.plan.Control == nil {
		return nil
	}
	return r.plan.Control.wake
}

// applied records ch as applied now, for the current interval.
func (r *runner) applied(ch Change) Change {
	ch.At = time.Now()
	r.changeMu.Lock()
	r.pendingChanges = append(r.pendingChanges, ch)
	r.changeMu.Unlock()
	return ch
}

// takeChanges returns the changes applied since the last call.
func (r *runner) takeChanges() []Change {
	r.changeMu.Lock()
	defer r.changeMu.Unlock()
	c := r.pendingChanges
	r.pendingChanges = nil
	return c
}

// Changes lists the load changes made through a Control during the run
// (see [Change]), in order, from the intervals.
func (r *Result) Changes() []Change {
	var out []Change
	for _, iv := range r.Intervals {
		out = append(out, iv.Changes...)
	}
	return out
}

// hold is how a wait within a stage ended.
type hold int

const (
	holdEnded   hold = iota // the stage's end came
	holdStopped             // the load was stopped (Plan.Stop, the context)
	holdChanged             // a Control's change waits
)

// waitUntil waits until t, the load's stop, or changes is ready (a nil
// changes never is).
func (r *runner) waitUntil(t time.Time, changes <-chan struct{}) hold {
	if r.stopCtx.Err() != nil {
		return holdStopped
	}
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return holdEnded
	case <-r.stopCtx.Done():
		return holdStopped
	case <-changes:
		return holdChanged
	}
}

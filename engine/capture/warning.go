package capture

import (
	"fmt"
	"strings"
	"time"
)

// WarningKind names what an early [Warning] saw.
type WarningKind string

// The kinds of early warnings.
const (
	// WarnHeld: connections, queries (rows not closed) or Redis PubSub
	// connections held longer than the probe's leak threshold, on two
	// polls in a row.
	WarnHeld WarningKind = "held-too-long"
	// WarnGoroutines: goroutines rising, over several polls of the steady
	// state, beyond what the requests in flight explain (Little's law:
	// arrival rate x server latency).
	WarnGoroutines WarningKind = "goroutine-growth"
	// WarnPoolTimeouts: a database pool at its max while acquires that
	// waited for a connection are canceled (they hit the request's
	// timeout), on two polls in a row.
	WarnPoolTimeouts WarningKind = "pool-timeouts"
)

// Warning is an early warning: a defect the runner saw in the probe's
// samples while the run went, before any verdict. One is raised per
// (Kind, Source, Where); later polls that see it again update Last,
// LastWhat and Updates. The report lists them ("first warned at"), and a
// run with fail-fast ends at the first one (EndedRun).
type Warning struct {
	Kind WarningKind `json:"kind"`
	// Source is the probe's source (capture.Sample.Source).
	Source string `json:"source"`
	// Where is the function the probe's stacks name (the acquiring
	// function of the holds, the goroutines' place), or the pool's name
	// when no stack says more.
	Where string `json:"where"`
	// Route is the route (method and template) of the requests that made
	// the holds, most first, when the probe knows it.
	Route string `json:"route,omitempty"`
	// What says what was seen, with its figures, when first warned.
	What string `json:"what"`
	// Time is when it was first warned (the sample's time, on the
	// engine's clock); At is Time minus the load's start (the live view's
	// elapsed time), zero when warned before the load.
	Time time.Time     `json:"time"`
	At   time.Duration `json:"at_ns"`
	// Last and LastWhat are the latest poll that saw it again; Updates
	// counts those polls.
	Last     time.Time `json:"last,omitzero"`
	LastWhat string    `json:"last_what,omitempty"`
	Updates  int       `json:"updates,omitempty"`
	// EndedRun is set on the warning that ended the run (fail-fast).
	EndedRun bool `json:"ended_run,omitempty"`
}

// Key identifies a warning: kind, source and where.
func (w *Warning) Key() string { return string(w.Kind) + "\x00" + w.Source + "\x00" + w.Where }

// String is the warning on one line: "at 0m34s, held-too-long in
// main.(*store).Story (GET /stories/:id): 3 pgx-conn held over 30s [probe demo]".
func (w *Warning) String() string { return "at " + ClockText(w.At) + ", " + w.Text() }

// Text is String without when: "held-too-long in main.(*store).Story
// (GET /stories/:id): 3 pgx-conn held over 30s [probe demo]".
func (w *Warning) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s in %s", w.Kind, w.Where)
	if w.Route != "" {
		fmt.Fprintf(&b, " (%s)", w.Route)
	}
	fmt.Fprintf(&b, ": %s", w.What)
	if w.Updates > 0 {
		fmt.Fprintf(&b, "; seen again %d times, last: %s", w.Updates, w.LastWhat)
	}
	if w.Source != "" {
		fmt.Fprintf(&b, " [probe %s]", w.Source)
	}
	return b.String()
}

// ClockText formats a run-relative time to the second: "0m34s", "1h02m03s".
func ClockText(d time.Duration) string {
	d = max(d, 0).Round(time.Second)
	h, m, s := int(d/time.Hour), int(d/time.Minute)%60, int(d/time.Second)%60
	if h > 0 {
		return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
	}
	return fmt.Sprintf("%dm%02ds", m, s)
}

// FailFast returns the warning that ended the run (EndedRun), or nil.
func (c *Capture) FailFast() *Warning {
	for i := range c.Warnings {
		if c.Warnings[i].EndedRun {
			return &c.Warnings[i]
		}
	}
	return nil
}

// AddWarning adds w, or replaces the warning of the same key (a later
// record of it: updated counts, EndedRun set).
func (c *Capture) AddWarning(w Warning) {
	for i := range c.Warnings {
		if c.Warnings[i].Key() == w.Key() {
			c.Warnings[i] = w
			return
		}
	}
	c.Warnings = append(c.Warnings, w)
}

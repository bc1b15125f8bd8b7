package capture

import (
	"fmt"
	"slices"
	"time"
)

// Phase is a part of a soak run. The detectors compare them: a leak grows
// through the steady state and survives the drain; exhaustion that clears
// in the drain is capacity, not a leak.
type Phase string

// The phases of a run, in order.
const (
	// PhaseBaseline: the service before any load, polled for
	// runner.Config.Baseline.
	PhaseBaseline Phase = "baseline"
	// PhaseWarmup: the ramp (users spawning) plus runner.Config.Settle, while
	// caches fill and pools grow. Detectors do not trend it.
	PhaseWarmup Phase = "warmup"
	// PhaseSteady: full load, settled. The trends are measured here.
	PhaseSteady Phase = "steady"
	// PhaseDrain: load stopped, the service left to quiesce for at most
	// runner.Config.Drain. Residues are measured at its end.
	PhaseDrain Phase = "drain"
)

// Phases lists the phases in order.
var Phases = []Phase{PhaseBaseline, PhaseWarmup, PhaseSteady, PhaseDrain}

// Span is one phase's time range on the engine's clock (wall time, as
// engine.Interval.Start and End).
type Span struct {
	Phase Phase     `json:"phase"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Duration is End - Start.
func (s Span) Duration() time.Duration { return s.End.Sub(s.Start) }

// Contains reports whether t is in [Start, End).
func (s Span) Contains(t time.Time) bool { return !t.Before(s.Start) && t.Before(s.End) }

// Timing is the phases of one run, in order. A run cancelled early has
// the phases it reached; the last may be short.
type Timing []Span

// Span returns the span of phase p, if the run reached it.
func (t Timing) Span(p Phase) (Span, bool) {
	for _, s := range t {
		if s.Phase == p {
			return s, true
		}
	}
	return Span{}, false
}

// At returns the phase at time t, or "" outside every span.
func (t Timing) At(tm time.Time) Phase {
	for _, s := range t {
		if s.Contains(tm) {
			return s.Phase
		}
	}
	return ""
}

// Check reports spans out of order, overlapping, reversed or of an
// unknown phase, naming the span.
func (t Timing) Check() error {
	for i, s := range t {
		if !s.Phase.Valid() {
			return fmt.Errorf("capture: phases[%d]: unknown phase %q", i, s.Phase)
		}
		if s.End.Before(s.Start) {
			return fmt.Errorf("capture: phases[%d] (%s): ends before it starts", i, s.Phase)
		}
		if i > 0 && s.Start.Before(t[i-1].End) {
			return fmt.Errorf("capture: phases[%d] (%s): starts before %s ends", i, s.Phase, t[i-1].Phase)
		}
	}
	return nil
}

// Valid reports whether p is one of [Phases].
func (p Phase) Valid() bool { return slices.Contains(Phases, p) }

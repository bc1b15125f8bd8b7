package capture

import (
	"time"

	"github.com/soaklab/soak/probe"
)

// Moment names a point of a run at which the runner captures
// profiles and leak reports.
type Moment string

// The capture moments, in order.
const (
	MomentBaselineEnd Moment = "baseline-end" // goroutines before load
	MomentSteadyStart Moment = "steady-start" // goroutines, heap
	MomentSteadyMid   Moment = "steady-mid"   // goroutines, leaks (what holds connections under load)
	MomentSteadyEnd   Moment = "steady-end"   // goroutines, heap, leaks (what holds connections under load)
	MomentDrainEnd    Moment = "drain-end"    // goroutines, heap (after a GC), goroutineleak, leaks
)

// Moments lists the capture moments in order.
var Moments = []Moment{MomentBaselineEnd, MomentSteadyStart, MomentSteadyMid, MomentSteadyEnd, MomentDrainEnd}

// Capture is everything the runner gathered on the server side of
// a run: the probe timeline, the phases, leak reports and profiles at the
// capture moments, and the test environment. With the engine's Result it
// is all analysis.Analyze needs; [ReadCapture] rebuilds it from disk.
type Capture struct {
	Timeline    Timeline       `json:"timeline"`
	Timing      Timing         `json:"timing"`
	Leaks       []LeakCapture  `json:"leaks,omitempty"`
	Profiles    []Profile      `json:"profiles,omitempty"`
	Environment *Environment   `json:"environment,omitempty"`
	Config      *CaptureConfig `json:"config,omitempty"`
	// Warnings are the early warnings raised while the run went, in the
	// order first warned (see [Warning]).
	Warnings []Warning `json:"warnings,omitempty"`
	// Cut is set by [ReadCapture] when the capture ends inside a phase
	// that was never written whole (the run was killed): the last
	// phase's end is then the last record's time.
	Cut bool `json:"cut,omitempty"`
}

// CaptureConfig is the runner's configuration (runner.Config) as recorded.
type CaptureConfig struct {
	PollInterval time.Duration `json:"poll_interval_ns"`
	Baseline     time.Duration `json:"baseline_ns"`
	Settle       time.Duration `json:"settle_ns"`
	Drain        time.Duration `json:"drain_ns"`
	Sources      []string      `json:"sources"`
	// InProcess names the sources that share the process with soak's
	// generator: their CPU, RSS and heap include the generator's, and
	// the memory detector discounts the generator's own allocation sites.
	InProcess []string `json:"in_process,omitempty"`
	// Command is the command line that ran the soak (secrets removed),
	// for the report's Execution Command.
	Command string `json:"command,omitempty"`
	// Scenario says what the users did: a scenario file, or quick mode's
	// URLs; "" for a plan built in Go.
	Scenario string `json:"scenario,omitempty"`
}

// LeakCapture is a source's leak report at a moment.
type LeakCapture struct {
	Source string            `json:"source"`
	Moment Moment            `json:"moment"`
	Time   time.Time         `json:"time"`
	Report *probe.LeakReport `json:"report,omitempty"`
	Error  string            `json:"error,omitempty"`
}

// LeakReport returns the leak report of source at m, or nil when none
// was taken (or its capture failed).
func (c *Capture) LeakReport(source string, m Moment) *probe.LeakReport {
	for i := range c.Leaks {
		if l := &c.Leaks[i]; l.Source == source && l.Moment == m {
			return l.Report
		}
	}
	return nil
}

// Profile returns the profile of source, kind (probe.ProfileHeap, ...)
// and moment that has data, or nil: a profile read back by ReadCapture
// has data once [Capture.LoadProfiles] loaded it.
func (c *Capture) Profile(source, kind string, m Moment) *Profile {
	for i := range c.Profiles {
		if p := &c.Profiles[i]; p.Source == source && p.Kind == kind && p.Moment == m && len(p.Data) > 0 {
			return p
		}
	}
	return nil
}

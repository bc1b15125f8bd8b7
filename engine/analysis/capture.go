package analysis

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/soaklab/soak/probe"
)

// Moment names a point of a run at which the orchestrator captures
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

// Capture is everything the orchestrator gathered on the server side of
// a run: the probe timeline, the phases, leak reports and profiles at the
// capture moments, and the test environment. With the engine's Result it
// is all [Analyze] needs; [ReadCapture] rebuilds it from disk.
type Capture struct {
	Timeline    Timeline       `json:"timeline"`
	Timing      Timing         `json:"timing"`
	Leaks       []LeakCapture  `json:"leaks,omitempty"`
	Profiles    []Profile      `json:"profiles,omitempty"`
	Environment *Environment   `json:"environment,omitempty"`
	Config      *CaptureConfig `json:"config,omitempty"`
}

// CaptureConfig is the orchestrator's configuration as recorded.
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
}

// LeakCapture is a source's leak report at a moment.
type LeakCapture struct {
	Source string            `json:"source"`
	Moment Moment            `json:"moment"`
	Time   time.Time         `json:"time"`
	Report *probe.LeakReport `json:"report,omitempty"`
	Error  string            `json:"error,omitempty"`
}

// Profile is a profile captured from a source at a moment.
type Profile struct {
	Source string    `json:"source"`
	Kind   string    `json:"kind"` // ProfileHeap, ProfileGoroutine, ProfileGoroutineLeak
	Moment Moment    `json:"moment"`
	Time   time.Time `json:"time"`
	// Path is where the profile was saved, relative to the capture's
	// directory ("" when kept in memory only).
	Path string `json:"path,omitempty"`
	// Data is the profile (pprof proto); not part of the JSON record.
	Data  []byte `json:"-"`
	Error string `json:"error,omitempty"`
}

// leaks returns the leak report of source at m, or nil.
func (c *Capture) leaks(source string, m Moment) *probe.LeakReport {
	for i := range c.Leaks {
		if l := &c.Leaks[i]; l.Source == source && l.Moment == m {
			return l.Report
		}
	}
	return nil
}

// profile returns the profile of source, kind and moment that has data,
// or nil.
func (c *Capture) profile(source, kind string, m Moment) *Profile {
	for i := range c.Profiles {
		if p := &c.Profiles[i]; p.Source == source && p.Kind == kind && p.Moment == m && len(p.Data) > 0 {
			return p
		}
	}
	return nil
}

// LoadProfiles reads the Data of every profile with a Path, relative to
// dir. A missing or unreadable file is recorded in that profile's Error,
// and the first such error is returned after every profile was tried.
func (c *Capture) LoadProfiles(dir string) error {
	var first error
	for i := range c.Profiles {
		p := &c.Profiles[i]
		if p.Path == "" || len(p.Data) > 0 {
			continue
		}
		if filepath.IsAbs(p.Path) || !filepath.IsLocal(p.Path) {
			p.Error = fmt.Sprintf("profile path %q is not inside the results directory", p.Path)
			first = cmpErr(first, errors.New("analysis: "+p.Error))
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, p.Path))
		if err != nil {
			p.Error = err.Error()
			first = cmpErr(first, fmt.Errorf("analysis: profile %s: %w", p.Path, err))
			continue
		}
		p.Data = b
	}
	return first
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// profileError says why the profiles of source and kind at moments are
// missing: their capture errors, or that none was taken.
func (c *Capture) profileError(source, kind string, moments ...Moment) string {
	var why []string
	for _, m := range moments {
		found := false
		for i := range c.Profiles {
			p := &c.Profiles[i]
			if p.Source == source && p.Kind == kind && p.Moment == m {
				found = true
				if p.Error != "" {
					why = append(why, string(m)+": "+p.Error)
				} else if len(p.Data) == 0 {
					why = append(why, string(m)+": not loaded")
				}
			}
		}
		if !found {
			why = append(why, string(m)+": not captured")
		}
	}
	if len(why) == 0 {
		return "none missing"
	}
	return strings.Join(why, "; ")
}

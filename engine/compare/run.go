package compare

import (
	"time"

	"github.com/soaklab/soak/engine/analysis"
)

// AggregatedName names the sample of every endpoint together, as
// engine.AggregatedName does.
const AggregatedName = "Aggregated"

// Run is one side of a comparison: its plan, its steady-state windows,
// its findings and target rows. Build one with [FromAnalysis] or
// engine/report's CompareRun; the zero Run compares as a run without
// data.
type Run struct {
	// Label names the run for the reader: the path it was read from.
	Label string `json:"label"`
	// ID is the run's id (engine.RunInfo.RunID).
	ID    string    `json:"id"`
	Start time.Time `json:"start"` // the load's start, the charts' origin
	Plan  Plan      `json:"plan"`
	// Windows are the steady state's windows, in time order (see
	// docs/compare.md for how a run is cut into them).
	Windows []Window `json:"windows"`
	// Timeline is every window of the run, steady or not, for the charts.
	Timeline []Window `json:"-"`
	// SteadyFrom and SteadyTo bound the steady state (zero: the phases
	// were unknown and the windows at full load stand for it).
	SteadyFrom time.Time `json:"steady_from,omitzero"`
	SteadyTo   time.Time `json:"steady_to,omitzero"`
	// Findings and System are the run's analysis (nil without one).
	Findings []analysis.Finding `json:"-"`
	System   []analysis.Target  `json:"-"`
}

// Plan is what a run was asked to do, the part two runs must share to be
// compared.
type Plan struct {
	Model     string        `json:"model"` // "closed" or "open"
	Users     int           `json:"users,omitempty"`
	SpawnRate float64       `json:"spawn_rate,omitempty"` // users/s
	Rate      float64       `json:"rate,omitempty"`       // arrivals/s
	MaxRPS    float64       `json:"max_rps,omitempty"`
	Duration  time.Duration `json:"duration_ns"` // planned load duration
	Classes   []Class       `json:"classes,omitempty"`
}

// Class is a user class's share of a plan.
type Class struct {
	Name   string `json:"name"`
	Weight int    `json:"weight,omitempty"`
	Fixed  int    `json:"fixed,omitempty"`
	Tasks  int    `json:"tasks"`
}

// Window is a span of a run and, per endpoint ("METHOD name", and
// [AggregatedName]), what its requests did.
type Window struct {
	Start     time.Time         `json:"start"`
	End       time.Time         `json:"end"`
	Endpoints map[string]Sample `json:"endpoints"`
}

// Sample is one endpoint within one window. Latencies are in
// milliseconds, over every completed request (failures included, as the
// report counts them); zero without requests.
type Sample struct {
	Requests int64   `json:"requests"` // completed, 429s included
	Failures int64   `json:"failures"` // 429s excluded
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
}

// Seconds is the window's width in seconds.
func (w *Window) Seconds() float64 { return w.End.Sub(w.Start).Seconds() }

// EndpointKey is how an endpoint is named in a Window: "GET /api/items";
// the aggregate is [AggregatedName].
func EndpointKey(method, name string) string {
	if method == "" {
		return name
	}
	return method + " " + name
}

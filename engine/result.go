package engine

import (
	"fmt"
	"time"
)

// RunInfo describes a run: what Plan.OnStart receives before any load and
// what a saved run needs, beside its intervals, to be rebuilt with
// [NewResult]. It marshals to and from JSON.
type RunInfo struct {
	RunID    string        `json:"run_id"`
	Host     string        `json:"host"`  // base URL, without any user:password
	Model    string        `json:"model"` // "closed" or "open"
	Start    time.Time     `json:"start"`
	Interval time.Duration `json:"interval_ns"` // base interval width
	Duration time.Duration `json:"duration_ns"` // planned load duration (without StopTimeout and RampDown)

	Users     int     `json:"users,omitempty"`      // closed: target users (largest stage)
	SpawnRate float64 `json:"spawn_rate,omitempty"` // closed: users/s, 0 = all at once
	Rate      float64 `json:"rate,omitempty"`       // open: arrivals/s (largest stage)
	MaxRPS    float64 `json:"max_rps,omitempty"`    // global cap, 0 = none

	// Segment is the part of the plan this engine ran (Plan.Segment, as
	// "2/4"), empty for the whole plan; Users, SpawnRate, Rate and MaxRPS
	// are then the segment's share.
	Segment string `json:"segment,omitempty"`
	// Parts, for a run merged from several engines (engine/natsfleet),
	// lists the plan's segments and the engines that ran them; empty for
	// a run of one engine. Users, SpawnRate, Rate and MaxRPS are then the
	// whole plan's, and Cores adds up the engines'.
	Parts []Part `json:"parts,omitempty"`

	Classes []ClassInfo `json:"classes"`

	Cores     int    `json:"cores"`     // CPU cores available to the generator (GOMAXPROCS capped by NumCPU)
	Transport string `json:"transport"` // the HTTP client used: "h1" (soak's own) or "net/http"
	LateAfter int64  `json:"late_after_us"`
	MaxNames  int    `json:"max_names,omitempty"` // bound on recorded (method, name) pairs; the rest are under OtherName

	// Stages lists the plan's own stages (Closed.Stages, Open.Stages) by
	// when each starts, from Start, with the whole plan's users or rate
	// (not a segment's share); empty for a plan without stages. With
	// Interval.Changes they are the run's stage boundaries, which
	// engine/analysis judges stage by stage.
	Stages []PlannedStage `json:"stages,omitempty"`

	// MaxThroughput is the most requests per second the plan can send on
	// average over the run, whatever the service does ([Plan.MaxThroughput]);
	// 0 when the plan has no such bound.
	MaxThroughput float64 `json:"max_throughput_rps,omitempty"`
}

// PlannedStage is one of the plan's stages in a [RunInfo]: from At
// (after the run's start) the load moves to Users (closed model) or Rate
// (open model, arrivals per second).
type PlannedStage struct {
	At    time.Duration `json:"at_ns"`
	Users int           `json:"users,omitempty"`
	Rate  float64       `json:"rate,omitempty"`
}

// Part is one engine's share of a run merged from several.
type Part struct {
	Segment string `json:"segment"`          // as Segment.String: "2/3"
	Engine  string `json:"engine,omitempty"` // who ran it, e.g. "host-a/4711"; empty when no engine took the segment
	// Stopped, when set, is when the segment stopped counting before the
	// run's end: its engine died, lost its connection, stopped early or
	// never started (Why says which). Its share of the load is missing
	// from the intervals from then on (Interval.Lost names it).
	Stopped time.Time `json:"stopped,omitzero"`
	Why     string    `json:"why,omitempty"`
}

// ClassInfo is a class's share in the plan.
type ClassInfo struct {
	Name      string     `json:"name"`
	Weight    int        `json:"weight,omitempty"`
	Fixed     int        `json:"fixed,omitempty"`
	Tasks     int        `json:"tasks"`
	Endpoints []Endpoint `json:"endpoints,omitempty"` // Class.Endpoints: what its tasks request
}

// Result is everything a run measured. [Run] returns it complete, also
// after a graceful stop or a cancellation (for the time that ran).
// [NewResult] rebuilds it from a RunInfo and saved intervals.
type Result struct {
	RunInfo
	End time.Time `json:"end"`
	// Canceled: the context was cancelled before the planned end; requests
	// in flight were aborted.
	Canceled bool `json:"canceled"`
	// Stopped: Plan.Stop ended the load before its planned end; the tasks
	// in flight were let finish (within StopTimeout). Both may be set: a
	// cancellation during a graceful stop's drain. See [Result.Ending].
	Stopped bool `json:"stopped,omitempty"`

	// Intervals is the in-memory series (see [Series]): every interval at
	// the base width, or coarser when the run outgrew Plan.MaxIntervals.
	Intervals []*Interval `json:"intervals"`
	// Width is the number of base intervals per element of Intervals.
	Width int `json:"width"`

	// Total merges the whole run: Total.Stats has one Stat per (method,
	// name) with every request; Total.Errors the failures by (method,
	// name, error); Total.Schedule the open model's arrival bookkeeping.
	Total *Interval `json:"total"`

	// PeakUsers is the most users (closed) or workers (open) at once.
	PeakUsers int `json:"peak_users"`

	// GeneratorBound is set when the generator, not the service, limited
	// the load: arrivals dropped or late in the open model, or the
	// generator's CPU near the cores available. Reasons says why, so a
	// report never blames the service for the generator's limit.
	GeneratorBound bool     `json:"generator_bound"`
	Reasons        []string `json:"generator_reasons,omitempty"`
}

// Ending is how a run ended, from [Result.Ending].
type Ending string

// The endings of a run.
const (
	EndCompleted Ending = "completed" // the load ran its planned duration
	EndStopped   Ending = "stopped"   // Plan.Stop ended the load early, gracefully
	EndCanceled  Ending = "canceled"  // the context was cancelled: requests in flight aborted
)

// Ending says how the run ended: EndCanceled when Canceled is set (even
// after a Stop), else EndStopped when Stopped is, else EndCompleted. Any
// ending but EndCompleted makes the run's outputs partial.
func (r *Result) Ending() Ending {
	switch {
	case r.Canceled:
		return EndCanceled
	case r.Stopped:
		return EndStopped
	}
	return EndCompleted
}

// Generator-bound thresholds (see [Result.GeneratorBound]).
const (
	// CPUBusyFraction: an interval in which the generator used at least
	// this fraction of the cores available counts as CPU-saturated.
	CPUBusyFraction = 0.9
	// CPUBusyIntervals: the run is flagged when more than this fraction
	// of its intervals (by time) were CPU-saturated.
	CPUBusyIntervals = 0.1
	// LateFraction: an open-model run is flagged when more than this
	// fraction of its started arrivals were late.
	LateFraction = 0.01
)

// NewResult builds a Result from a run's description and its intervals in
// time order, as [Run] does at the end of a run and as `soak report`
// does from saved intervals. maxIntervals bounds the kept series (0 means
// [DefaultMaxIntervals]). The intervals are kept, not copied.
func NewResult(info RunInfo, intervals []*Interval, maxIntervals int) *Result {
	s := Series{Max: maxIntervals}
	for _, iv := range intervals {
		s.Add(iv)
	}
	return newResult(info, &s)
}

func newResult(info RunInfo, s *Series) *Result {
	r := &Result{RunInfo: info, Intervals: s.Intervals(), Width: s.Width(), Total: s.Total()}
	if r.Total == nil {
		r.Total = &Interval{Start: info.Start, End: info.Start}
	}
	r.End = r.Total.End
	r.PeakUsers = r.Total.MaxUsers
	r.Reasons = generatorReasons(info, r.Intervals, &r.Total.Schedule)
	r.GeneratorBound = len(r.Reasons) > 0
	return r
}

func generatorReasons(info RunInfo, ivs []*Interval, sch *Schedule) []string {
	var why []string
	if sch.Dropped > 0 {
		why = append(why, fmt.Sprintf("%d of %d arrivals dropped: every worker busy at the MaxWorkers cap", sch.Dropped, sch.Arrivals))
	}
	if sch.Started > 0 && float64(sch.Late) > LateFraction*float64(sch.Started) {
		why = append(why, fmt.Sprintf("%d of %d arrivals (%.1f%%) started more than %v late (max lag %v)",
			sch.Late, sch.Started, 100*float64(sch.Late)/float64(sch.Started),
			time.Duration(info.LateAfter)*time.Microsecond, sch.MaxLag()))
	}
	if info.Cores > 0 {
		var busy, all time.Duration
		for _, iv := range ivs {
			d := iv.Duration()
			all += d
			if d > 0 && float64(iv.CPU) >= CPUBusyFraction*float64(info.Cores)*float64(d) {
				busy += d
			}
		}
		if all > 0 && float64(busy) > CPUBusyIntervals*float64(all) {
			why = append(why, fmt.Sprintf("generator CPU at >= %.0f%% of %d cores for %v of %v",
				100*CPUBusyFraction, info.Cores, busy.Round(time.Second), all.Round(time.Second)))
		}
	}
	return why
}

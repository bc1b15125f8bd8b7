package report

import (
	"errors"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/compare"
)

// ErrNoIntervals is returned by [CompareRun] for a document without an
// interval series: nothing to compare.
var ErrNoIntervals = errors.New("report: the document has no intervals to compare")

// CompareRun turns a report.json document (as [ReadJSON] returns it) into
// one side of a comparison: its plan, its intervals (already summarised:
// the windows are the document's intervals, at their width) within the
// steady state of its analysis, its findings and rows. Without phases the
// intervals at the run's peak users stand for the steady state. label
// names the run (its path). d is not modified.
func CompareRun(d *Document, label string) (*compare.Run, error) {
	if len(d.Intervals) == 0 {
		return nil, ErrNoIntervals
	}
	r := &compare.Run{Label: label, ID: d.Run.ID, Start: d.Run.Start, Plan: compare.Plan{
		Model: d.Run.Model, Users: d.Run.Users, SpawnRate: d.Run.SpawnRate, Rate: d.Run.Rate, MaxRPS: d.Run.MaxRPS,
		Duration: time.Duration(d.Run.PlannedSeconds * float64(time.Second)).Round(time.Millisecond)}}
	for _, c := range d.Run.Classes {
		r.Plan.Classes = append(r.Plan.Classes, compare.Class{Name: c.Name, Weight: c.Weight, Fixed: c.Fixed, Tasks: c.Tasks})
	}
	var steady capture.Span
	var hasSteady bool
	if a := d.Analysis; a != nil {
		r.Findings = a.Findings
		r.System = append(append(r.System, a.Performance...), a.System...)
		steady, hasSteady = a.Phases.Span(capture.PhaseSteady)
	}
	peak := 0
	for i := range d.Intervals {
		peak = max(peak, d.Intervals[i].Users)
	}
	firstPeak := true
	for i := range d.Intervals {
		iv := &d.Intervals[i]
		w := windowOfSummary(iv)
		r.Timeline = append(r.Timeline, w)
		switch {
		case hasSteady:
			if !iv.Start.Before(steady.Start) && !iv.End.After(steady.End.Add(time.Millisecond)) {
				r.Windows = append(r.Windows, w)
			}
		case iv.Users == peak:
			if !firstPeak { // the first holds the ramp's last requests
				r.Windows = append(r.Windows, w)
			}
			firstPeak = false
		}
	}
	if hasSteady {
		r.SteadyFrom, r.SteadyTo = steady.Start, steady.End
	}
	return r, nil
}

// windowOfSummary is one summarised interval as a comparison window.
func windowOfSummary(iv *IntervalSummary) compare.Window {
	w := compare.Window{Start: iv.Start, End: iv.End, Endpoints: make(map[string]compare.Sample, len(iv.Endpoints)+1)}
	w.Endpoints[compare.AggregatedName] = compare.Sample{Requests: iv.Requests, Failures: iv.Failures,
		P50: iv.P50Ms, P95: iv.P95Ms, P99: iv.P99Ms}
	for _, e := range iv.Endpoints {
		w.Endpoints[compare.EndpointKey(e.Method, e.Name)] = compare.Sample{Requests: e.Requests, Failures: e.Failures,
			P50: e.P50Ms, P95: e.P95Ms, P99: e.P99Ms}
	}
	return w
}

package compare

import (
	"errors"
	"math"
	"slices"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/capture"
)

// ErrNoRun is returned by [FromAnalysis] for a result without the
// engine's side.
var ErrNoRun = errors.New("compare: no engine result to compare")

// Windowing bounds: a window holds at least WindowRequests requests of
// every endpoint together when the run's rate allows it, and a steady
// state is cut into at least MinSteadyWindows windows when it is long
// enough (fewer, wider windows estimate each quantile better; more
// windows estimate the noise better).
const (
	WindowRequests   = 1000
	MinSteadyWindows = 12
)

// FromAnalysis builds a Run from an analysed run (engine intervals with
// their histograms, the capture's phases, the findings and rows): label
// names it. The steady state is the capture's steady phase; without one,
// the intervals at the run's peak users (closed model) or rate (open)
// stand for it.
func FromAnalysis(label string, r *analysis.Result) (*Run, error) {
	if r == nil || r.Engine == nil {
		return nil, ErrNoRun
	}
	e := r.Engine
	run := &Run{Label: label, ID: e.RunID, Start: e.Start, Plan: PlanOf(&e.RunInfo),
		Findings: r.Findings, System: append(slices.Clone(r.Performance), r.System...)}
	var timing capture.Timing
	if r.Capture != nil {
		timing = r.Capture.Timing
	}
	steady, ok := timing.Span(capture.PhaseSteady)
	ivs := e.Intervals
	var in []*engine.Interval
	if ok {
		run.SteadyFrom, run.SteadyTo = steady.Start, steady.End
		for _, iv := range ivs {
			if !iv.Start.Before(steady.Start) && !iv.End.After(steady.End.Add(time.Millisecond)) {
				in = append(in, iv)
			}
		}
	} else {
		in = atPeak(ivs)
	}
	w := windowWidth(in)
	run.Windows = windows(in, w)
	run.Timeline = windows(ivs, w)
	return run, nil
}

// PlanOf is the plan part of a run's description.
func PlanOf(ri *engine.RunInfo) Plan {
	p := Plan{Model: ri.Model, Users: ri.Users, SpawnRate: ri.SpawnRate, Rate: ri.Rate, MaxRPS: ri.MaxRPS, Duration: ri.Duration}
	for _, c := range ri.Classes {
		p.Classes = append(p.Classes, Class{Name: c.Name, Weight: c.Weight, Fixed: c.Fixed, Tasks: c.Tasks})
	}
	return p
}

// atPeak returns the intervals that end with the most users the run had,
// the first excepted (it holds the ramp's last requests).
func atPeak(ivs []*engine.Interval) []*engine.Interval {
	peak := 0
	for _, iv := range ivs {
		peak = max(peak, iv.Users)
	}
	var out []*engine.Interval
	for _, iv := range ivs {
		if iv.Users == peak {
			out = append(out, iv)
		}
	}
	if len(out) > 1 {
		out = out[1:]
	}
	return out
}

// windowWidth is the number of intervals per window: enough for
// WindowRequests requests at the median interval's rate, but no more
// than leaves MinSteadyWindows windows.
func windowWidth(ivs []*engine.Interval) int {
	if len(ivs) == 0 {
		return 1
	}
	counts := make([]int64, len(ivs))
	for i, iv := range ivs {
		t := iv.Total()
		counts[i] = t.Requests
	}
	slices.Sort(counts)
	med := max(counts[len(counts)/2], 1)
	w := int(math.Ceil(float64(WindowRequests) / float64(med)))
	return max(1, min(w, len(ivs)/MinSteadyWindows))
}

// windows merges every w consecutive intervals (exactly: histograms add)
// into a Window; a last group shorter than half a window is dropped.
func windows(ivs []*engine.Interval, w int) []Window {
	var out []Window
	for i := 0; i < len(ivs); i += w {
		j := min(i+w, len(ivs))
		if j-i < w && 2*(j-i) < w {
			break
		}
		out = append(out, windowOf(engine.Window(ivs[i:j]...)))
	}
	return out
}

// windowOf samples every endpoint of a merged interval.
func windowOf(iv *engine.Interval) Window {
	w := Window{Start: iv.Start, End: iv.End, Endpoints: make(map[string]Sample, len(iv.Stats)+1)}
	for i := range iv.Stats {
		s := &iv.Stats[i]
		w.Endpoints[EndpointKey(s.Method, s.Name)] = sampleOf(s)
	}
	t := iv.Total()
	w.Endpoints[AggregatedName] = sampleOf(&t)
	return w
}

func sampleOf(s *engine.Stat) Sample {
	out := Sample{Requests: s.Requests, Failures: s.Failures()}
	if s.Requests > 0 && s.Latency != nil {
		ms := func(p float64) float64 { return float64(s.Percentile(p)) / 1000 }
		out.P50, out.P95, out.P99 = ms(50), ms(95), ms(99)
	}
	return out
}

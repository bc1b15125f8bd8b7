package analysis

import (
	"fmt"
	"strings"
	"time"

	"github.com/soaklab/soak/engine"
)

// analyzer holds what the detectors share while [Analyze] runs.
type analyzer struct {
	r   *Result
	res *engine.Result
	c   *Capture
	th  Thresholds
}

func newAnalyzer(r *Result) *analyzer {
	return &analyzer{r: r, res: r.Engine, c: r.Capture, th: r.Thresholds}
}

// sources returns the timelines of the sources that answered at least
// once.
func (a *analyzer) sources() []*SourceTimeline {
	var out []*SourceTimeline
	for _, s := range a.c.Timeline.Sources {
		if s.Reachable() {
			out = append(out, s)
		}
	}
	return out
}

// noProbeReason says why no server-side figure exists.
func (a *analyzer) noProbeReason() string {
	if len(a.c.Timeline.Sources) == 0 {
		return "no probe: the service was not polled (run with --probe URL, or InProcess in a test)"
	}
	var parts []string
	for _, s := range a.c.Timeline.Sources {
		parts = append(parts, fmt.Sprintf("%s (%s)", s.Name, s.FirstError))
	}
	return "probe unreachable: " + strings.Join(parts, "; ")
}

// notes lists what the reader must know before trusting the report.
func (a *analyzer) notes() []string {
	var out []string
	if a.res.Canceled {
		out = append(out, "The run was interrupted: figures cover the time that ran, and the phases it reached.")
	}
	for _, s := range a.c.Timeline.Sources {
		switch {
		case !s.Reachable():
			out = append(out, fmt.Sprintf("Probe %s was unreachable (%d polls failed: %s): the server-side rows (pool, query latency, cache, CPU, memory) and the leak detectors have no figures from it.",
				s.Name, s.Failed, s.FirstError))
		case s.Failed > 0:
			out = append(out, fmt.Sprintf("Probe %s did not answer %d of %d polls (last error: %s); its figures have gaps.",
				s.Name, s.Failed, s.Polls, s.LastError))
		}
	}
	if a.res.GeneratorBound {
		out = append(out, "The load generator, not the service, limited this run: "+strings.Join(a.res.Reasons, "; ")+
			". Latency and throughput figures understate what the service can do.")
	}
	if _, ok := a.c.Timing.Span(PhaseSteady); !ok && len(a.c.Timing) > 0 {
		out = append(out, "The run never reached its steady state (the warm-up covered the whole load): trends are not measured.")
	}
	return out
}

// span returns the phase's span, or the engine's whole run for the
// steady state when the capture has no phases (a client-only run).
func (a *analyzer) span(p Phase) (Span, bool) {
	if s, ok := a.c.Timing.Span(p); ok {
		return s, true
	}
	if p == PhaseSteady && len(a.c.Timing) == 0 {
		return Span{Phase: PhaseSteady, Start: a.res.Start, End: a.res.End}, true
	}
	return Span{}, false
}

// intervalsIn returns the engine intervals that lie within [start, end]
// (an interval counts when its middle does).
func (a *analyzer) intervalsIn(start, end time.Time) []*engine.Interval {
	var out []*engine.Interval
	for _, iv := range a.res.Intervals {
		mid := iv.Start.Add(iv.Duration() / 2)
		if !mid.Before(start) && !mid.After(end) {
			out = append(out, iv)
		}
	}
	return out
}

// steadyWindow merges the engine intervals of the steady state (the whole
// run when there is no steady state).
func (a *analyzer) steadyWindow() *engine.Interval {
	if s, ok := a.span(PhaseSteady); ok {
		if w := engine.Window(a.intervalsIn(s.Start, s.End)...); w != nil {
			return w
		}
	}
	return a.res.Total
}

package analysis

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
)

// analyzer holds what the detectors share while [Analyze] runs.
type analyzer struct {
	r   *Result
	res *engine.Result
	c   *capture.Capture
	th  Thresholds
}

func newAnalyzer(r *Result) *analyzer {
	return &analyzer{r: r, res: r.Engine, c: r.Capture, th: r.Thresholds}
}

// sources returns the timelines of the sources that answered at least
// once.
func (a *analyzer) sources() []*capture.SourceTimeline {
	var out []*capture.SourceTimeline
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
	aborted := a.res.Total.Total().Aborted
	switch a.res.Ending() {
	case engine.EndCanceled:
		out = append(out, "The run was interrupted: figures cover the time that ran, and the phases it reached.")
	case engine.EndStopped:
		stop := "a graceful stop: requests in flight finished"
		if aborted > 0 {
			stop = "a graceful stop, cut short at the stop timeout"
		}
		out = append(out, "The load was stopped early ("+stop+"): figures cover the time that ran, and the phases it reached.")
	}
	if aborted > 0 {
		were := "requests were"
		if aborted == 1 {
			were = "request was"
		}
		out = append(out, fmt.Sprintf("%s %s still in flight when the load ended and aborted at the stop timeout (--stop-timeout): they count in no latency, error or throughput figure.",
			human.Count(aborted), were))
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
	out = append(out, fleetNotes(a.res)...)
	if a.res.GeneratorBound {
		out = append(out, "The load generator, not the service, limited this run: "+strings.Join(a.res.Reasons, "; ")+
			". Latency and throughput figures understate what the service can do.")
	}
	if _, ok := a.c.Timing.Span(capture.PhaseSteady); !ok && len(a.c.Timing) > 0 {
		out = append(out, "The run never reached its steady state (the warm-up covered the whole load): trends are not measured.")
	}
	return out
}

// intervalsIn returns the engine intervals that lie within [start, end]
// (an interval counts when its middle does). The intervals are in time
// order, so this is a binary search and a slice of the series (shared).
func (a *analyzer) intervalsIn(start, end time.Time) []*engine.Interval {
	ivs := a.res.Intervals
	mid := func(iv *engine.Interval) time.Time { return iv.Start.Add(iv.End.Sub(iv.Start) / 2) }
	lo := sort.Search(len(ivs), func(i int) bool { return !mid(ivs[i]).Before(start) })
	hi := sort.Search(len(ivs), func(i int) bool { return mid(ivs[i]).After(end) })
	if lo >= hi {
		return nil
	}
	return ivs[lo:hi]
}

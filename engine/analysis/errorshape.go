package analysis

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis/stats"
	"github.com/soaklab/soak/engine/internal/human"
)

// maxErrorBlocks is the most points the change-point search runs on:
// longer runs sum neighbouring intervals into blocks first (the search
// is quadratic in its points; 600 blocks of a 1-hour run are 6 s each).
const maxErrorBlocks = 600

// ErrorSegment is one level of the error rate between change points.
type ErrorSegment struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Requests int64     `json:"requests"`
	Failures int64     `json:"failures"`
	Rate     float64   `json:"rate"`
}

// errorBlock is a run of neighbouring intervals summed.
type errorBlock struct {
	start, end      time.Time
	requests, fails int64
}

// errorSeg is the change-point split of a run's error rate, with the
// blocks it was computed on.
type errorSeg struct {
	blocks     []errorBlock
	split      stats.Segments
	parts      []ErrorSegment
	p          float64
	dispersion float64
}

// errorSlope is the Theil-Sen slope of the per-interval error rate
// (rate per minute of load), over the intervals that had requests.
func errorSlope(ivs []*engine.Interval, start time.Time) stats.Trend {
	xs, ys := make([]float64, 0, len(ivs)), make([]float64, 0, len(ivs))
	for _, iv := range ivs {
		req, fail, _ := ivCounts(iv)
		if req == 0 {
			continue
		}
		xs = append(xs, iv.Start.Sub(start).Minutes())
		ys = append(ys, float64(fail)/float64(req))
	}
	return stats.TheilSen(xs, ys)
}

// errorSegments splits the run's error rate at its change points (at
// most two: a step, or an episode that began and ended), by binomial
// likelihood on the intervals with requests, summed into at most
// maxErrorBlocks blocks.
func errorSegments(ivs []*engine.Interval, start time.Time) errorSeg {
	var pts []errorBlock
	for _, iv := range ivs {
		req, fail, _ := ivCounts(iv)
		if req > 0 {
			pts = append(pts, errorBlock{iv.Start, iv.End, req, fail})
		}
	}
	per := (len(pts) + maxErrorBlocks - 1) / maxErrorBlocks
	var blocks []errorBlock
	for i := 0; i < len(pts); i += max(per, 1) {
		b := pts[i]
		for _, p := range pts[i+1 : min(i+per, len(pts))] {
			b.end, b.requests, b.fails = p.end, b.requests+p.requests, b.fails+p.fails
		}
		blocks = append(blocks, b)
	}
	trials, events := make([]int64, len(blocks)), make([]int64, len(blocks))
	for i, b := range blocks {
		trials[i], events[i] = b.requests, b.fails
	}
	sg := errorSeg{blocks: blocks, split: stats.Change(trials, events, minErrorRise)}
	sg.p, sg.dispersion = sg.split.P, sg.split.Dispersion
	if len(blocks) == 0 {
		return sg
	}
	for _, p := range sg.split.Parts {
		sg.parts = append(sg.parts, ErrorSegment{Start: blocks[p.From].start, End: blocks[p.To-1].end,
			Requests: p.Trials, Failures: p.Events, Rate: p.Rate})
	}
	return sg
}

// rising reports whether the error rate keeps rising within the blocks
// [from, to): a ramp, not a level.
func (sg errorSeg) rising(from, to int, start time.Time) bool {
	var xs, ys []float64
	for _, b := range sg.blocks[from:to] {
		xs = append(xs, b.start.Sub(start).Minutes())
		ys = append(ys, float64(b.fails)/float64(b.requests))
	}
	return stats.TheilSen(xs, ys).Rising()
}

// errorShape names how the error rate moved: the change points decide
// between a level, a step and an episode; the slope between a step and a
// ramp (a ramp split in two still rises inside its second part).
func errorShape(ef *ErrorFigures, sg errorSeg) string {
	first, last := ef.Windows[0].Rate, ef.Windows[len(ef.Windows)-1].Rate
	parts := sg.split.Parts
	switch len(parts) {
	case 2:
		if parts[1].Rate > parts[0].Rate {
			if sg.rising(parts[1].From, parts[1].To, ef.Windows[0].Start) {
				return shapeRising
			}
			return shapeStepUp
		}
		return shapeStepDown
	case 3:
		a, b, c := parts[0].Rate, parts[1].Rate, parts[2].Rate
		switch {
		case b > a && b > c:
			return shapeEpisode
		case b < a && b < c:
			return shapeDip
		case c > a:
			return shapeRising
		}
		return shapeFalling
	}
	switch {
	case ef.Slope.Rising() && last-first >= minErrorRise && last >= 1.5*first:
		return shapeRising
	case ef.Slope.Falling() && first-last >= minErrorRise && first >= 1.5*last:
		return shapeFalling
	}
	return shapeStable
}

// judgeErrors sets the error-rate finding's verdict, summary and next
// step from the shape found and the target (limit, 0 for none).
func judgeErrors(f *Finding, ef *ErrorFigures, limit float64, start time.Time) {
	first, last := ef.Windows[0].Rate, ef.Windows[len(ef.Windows)-1].Rate
	over := limit > 0 && ef.Rate > limit
	changeConf := math.Min(maxConfidence, 1-ef.ChangeP)
	seg := ef.Segments
	at := func(t time.Time) string { return human.Span(t.Sub(start)) }
	switch {
	case ef.Trend == shapeRising:
		f.Verdict, f.Severity = VerdictDetected, SeverityMedium
		f.Confidence = math.Min(maxConfidence, 1-ef.Slope.PRising)
		if len(seg) > 1 {
			f.Confidence = changeConf
		}
		if len(seg) > 0 {
			last = math.Max(last, seg[len(seg)-1].Rate)
		}
		if limit > 0 && last > limit {
			f.Severity = SeverityHigh
		}
		f.Summary = fmt.Sprintf("the error rate rises through the run, %s in the first window to %s in the last", human.Percent(first), human.Percent(last))
		f.NextStep = "Errors that grow with time point at exhaustion (a pool, file descriptors, memory): read the other findings and the errors' first-seen times."
	case ef.Trend == shapeStepUp:
		f.Verdict, f.Severity, f.Confidence = VerdictDetected, SeverityMedium, changeConf
		if limit > 0 && seg[1].Rate > limit {
			f.Severity = SeverityHigh
		}
		f.Summary = fmt.Sprintf("the errors stepped up %s into the load, from %s to %s, and stayed there", at(seg[1].Start),
			human.Percent(seg[0].Rate), human.Percent(seg[1].Rate))
		f.NextStep = "Something changed at that moment and did not recover: read the errors first seen then and the other findings at that time (a pool or file descriptors running out, a dependency failing, a restart)."
	case ef.Trend == shapeEpisode:
		f.Verdict, f.Severity, f.Confidence = VerdictWarning, SeverityMedium, changeConf
		if limit > 0 && seg[1].Rate > limit {
			f.Verdict, f.Severity = VerdictDetected, SeverityHigh
		}
		f.Summary = fmt.Sprintf("the errors came in an episode from %s to %s into the load: %s, against %s before and %s after", at(seg[1].Start), at(seg[1].End),
			human.Percent(seg[1].Rate), human.Percent(seg[0].Rate), human.Percent(seg[2].Rate))
		f.NextStep = "The service failed for a while and recovered: look at that window: a dependency (database, Redis) down or slow, a restart, a long pause, a deploy; the errors first seen then say which."
	case ef.Trend == shapeStepDown || ef.Trend == shapeFalling || ef.Trend == shapeDip:
		f.Verdict, f.Confidence = VerdictOK, 0.9
		if over {
			f.Verdict, f.Severity = VerdictWarning, SeverityHigh
		}
		f.Summary = fmt.Sprintf("the error rate is %s and fell through the run (%s)", human.Percent(ef.Rate), levels(seg, ef.Windows, start))
		if over {
			f.Summary = fmt.Sprintf("the error rate is %s (target < %s); it fell through the run (%s)", human.Percent(ef.Rate), human.LimitPercent(limit), levels(seg, ef.Windows, start))
		}
		f.NextStep = "Errors that stop on their own are a warm-up (cold caches, connections being opened, a dependency still starting) or a passing outage: warm the service before the load or give the run a longer --settle, and read the errors' first and last-seen times."
		if ef.Trend == shapeDip {
			f.Summary = strings.Replace(f.Summary, "fell through the run", "paused in the middle of the run", 1)
			f.NextStep = "The errors paused and came back: read the errors' first and last-seen times beside the other findings."
		}
	case over:
		f.Verdict, f.Severity, f.Confidence = VerdictWarning, SeverityHigh, 0.9
		f.Summary = fmt.Sprintf("the error rate is %s (target < %s) and stable over the run", human.Percent(ef.Rate), human.LimitPercent(limit))
		f.NextStep = "Read the top errors above: they are steady, so they come from the code path, not from wear."
	default:
		f.Verdict, f.Confidence = VerdictOK, 0.9
		f.Summary = fmt.Sprintf("the error rate is %s and stable over the run", human.Percent(ef.Rate))
	}
}

// levels describes the error rate's levels: its segments when it has
// several, else its windows.
func levels(seg []ErrorSegment, ws []ErrorWindow, start time.Time) string {
	var parts []string
	if len(seg) > 1 {
		for _, s := range seg {
			parts = append(parts, fmt.Sprintf("%s from %s", human.Percent(s.Rate), human.Span(s.Start.Sub(start))))
		}
		return strings.Join(parts, ", then ")
	}
	for _, w := range ws {
		parts = append(parts, fmt.Sprintf("%s in %s", human.Percent(w.Rate), w.Label))
	}
	return strings.Join(parts, ", ")
}

// segmentEvidence is the evidence line of the change points found.
func segmentEvidence(ef *ErrorFigures, start time.Time) string {
	var parts []string
	for _, s := range ef.Segments {
		parts = append(parts, fmt.Sprintf("%s to %s: %s of %s", human.Span(s.Start.Sub(start)), human.Span(s.End.Sub(start)),
			human.Percent(s.Rate), human.Count(s.Requests)))
	}
	return fmt.Sprintf("Levels between change points (binomial likelihood, p %.1g after correction, dispersion %.1f): %s.",
		ef.ChangeP, ef.Dispersion, strings.Join(parts, "; "))
}

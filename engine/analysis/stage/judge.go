package stage

import (
	"fmt"
	"time"

	"github.com/soaklab/soak/engine/analysis/stats"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
)

// What a [Check] judged.
const (
	CheckLatency    = "latency"    // the stage's p95 against the target, and its two halves
	CheckErrors     = "errors"     // the stage's error rate against the target
	CheckPool       = "pool"       // a pool exhausted within the stage
	CheckMemory     = "memory"     // the live heap's trend within the stage
	CheckGoroutines = "goroutines" // the goroutines' trend (beyond the requests in flight) within the stage
)

// A Check's verdicts.
const (
	OK       = "ok"
	Warning  = "warning"
	Detected = "detected"
	TooShort = "too short" // the stage's judged span is too short to decide: Summary says what it lacks
	Unclear  = "unclear"   // a trend too noisy to decide either way within the stage
)

// Check is one judgment of a stage.
type Check struct {
	Check   string `json:"check"`            // CheckLatency, ...
	Source  string `json:"source,omitempty"` // the probe source; "" for the client's checks
	Verdict string `json:"verdict"`          // OK, Warning, Detected, TooShort or Unclear
	Summary string `json:"summary"`
}

// Flagged reports a Warning or a Detected check.
func (c *Check) Flagged() bool { return c.Verdict == Warning || c.Verdict == Detected }

// judge adds the stage's checks.
func (s *Stage) judge(lim *Limits, srcs []*capture.SourceTimeline) {
	if s.Judged <= 0 || s.Requests == 0 {
		why := fmt.Sprintf("too short to judge: %s, all of it settling after the change", human.Span(s.End.Sub(s.Start)))
		if s.Judged > 0 {
			why = "no request completed in the stage"
		}
		s.Checks = append(s.Checks, Check{Check: CheckLatency, Verdict: TooShort, Summary: why})
		return
	}
	s.Checks = append(s.Checks, s.latency(lim), s.errors(lim))
	for i, src := range srcs {
		sv := &s.Servers[i]
		pts, _ := s.points(src)
		s.Checks = append(s.Checks, pool(sv, s.Judged, lim)...)
		heap, gor := make([]float64, 0, len(pts)), make([]float64, 0, len(pts))
		xs := make([]float64, 0, len(pts))
		for _, p := range pts {
			xs = append(xs, p.Time.Sub(pts[0].Time).Seconds())
			heap = append(heap, float64(p.LiveHeapBytes))
			gor = append(gor, float64(p.Goroutines-p.InFlight))
		}
		s.Checks = append(s.Checks,
			s.trend(CheckMemory, src.Name, xs, heap, lim.HeapBar, lim, func(v float64) string { return human.Bytes(int64(v)) + "/min" }),
			s.trend(CheckGoroutines, src.Name, xs, gor, lim.GoroutineBar, lim, func(v float64) string { return fmt.Sprintf("%.1f goroutines/min", v) }))
	}
}

func (s *Stage) latency(lim *Limits) Check {
	c := Check{Check: CheckLatency, Verdict: OK, Summary: fmt.Sprintf("p95 %s", human.Millis(s.P95))}
	if lim.P95 > 0 {
		c.Summary += fmt.Sprintf(" (target %s)", human.Millis(lim.P95))
		if s.P95 > lim.P95 {
			c.Verdict = Warning
			c.Summary = fmt.Sprintf("p95 %s over the %s target", human.Millis(s.P95), human.Millis(lim.P95))
		}
	}
	return c
}

func (s *Stage) errors(lim *Limits) Check {
	c := Check{Check: CheckErrors, Verdict: OK, Summary: fmt.Sprintf("%s of requests failed", human.Percent(s.ErrorRate))}
	if lim.ErrorRate > 0 && s.ErrorRate > lim.ErrorRate {
		c.Verdict = Detected
		c.Summary = fmt.Sprintf("%s of requests failed, over the %s target", human.Percent(s.ErrorRate), human.Percent(lim.ErrorRate))
	}
	return c
}

// pool judges each pool of sv: exhausted for at least ExhaustedShare of
// the judged span is Detected, exhausted at all a Warning.
func pool(sv *Server, judged time.Duration, lim *Limits) []Check {
	var out []Check
	for _, p := range sv.Pools {
		c := Check{Check: CheckPool, Source: sv.Source, Verdict: OK,
			Summary: fmt.Sprintf("pool %s: peak %d of %d, %s waits", p.Name, p.Peak, p.Max, human.Count(p.Waits))}
		share := p.Exhausted.Seconds() / judged.Seconds()
		switch {
		case lim.ExhaustedShare > 0 && share >= lim.ExhaustedShare:
			c.Verdict = Detected
		case p.Exhausted > 0:
			c.Verdict = Warning
		}
		if c.Verdict != OK {
			c.Summary = fmt.Sprintf("pool %s exhausted %s of the stage (%s; %s waits, %.1f s waiting, %s gave up)",
				p.Name, human.Percent(share), human.Span(p.Exhausted), human.Count(p.Waits), p.WaitSeconds, human.Count(p.GaveUp))
		}
		out = append(out, c)
	}
	return out
}

// trend judges ys against xs (s) within the stage: TooShort below
// MinLeakSpan or MinPoints, Detected when it rises surely and at least
// bar per second, OK when its 95 % interval lies below bar, else
// Unclear. perMin writes a slope per minute.
func (s *Stage) trend(check, source string, xs, ys []float64, bar float64, lim *Limits, perMin func(float64) string) Check {
	c := Check{Check: check, Source: source}
	if s.Judged < lim.MinLeakSpan || len(xs) < max(lim.MinPoints, stats.MinPoints) {
		c.Verdict = TooShort
		c.Summary = fmt.Sprintf("too short to judge a leak: %s and %d samples judged, %s and %d needed",
			human.Span(s.Judged), len(xs), human.Span(lim.MinLeakSpan), max(lim.MinPoints, stats.MinPoints))
		return c
	}
	t := stats.TheilSen(xs, ys)
	ci := fmt.Sprintf("%s, 95%% CI %s to %s", perMin(60*t.Slope), perMin(60*t.Lo), perMin(60*t.Hi))
	switch {
	case t.Rising() && t.Slope >= bar:
		c.Verdict, c.Summary = Detected, "grows within the stage: "+ci
	case t.Hi < bar:
		c.Verdict, c.Summary = OK, "does not grow within the stage ("+ci+")"
	default:
		c.Verdict, c.Summary = Unclear, "too noisy to judge a leak within the stage ("+ci+" spans the bar of "+perMin(60*bar)+")"
	}
	return c
}

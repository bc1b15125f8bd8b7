package analysis

import (
	"fmt"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis/stats"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
)

// Error-trend constants (see docs/report.md): a trend is "rising" when
// the Theil-Sen slope of the per-interval error rate is above 0 with 95 %
// confidence and the last window's rate exceeds the first's by at least
// minErrorRise (absolute) and by half (relative).
const minErrorRise = 0.001

// Error shapes (ErrorFigures.Trend): how the rate moved through the run.
const (
	shapeStable   = "stable"    // one level (within noise and minErrorRise)
	shapeRising   = "rising"    // a gradual rise (Theil-Sen, or a step that keeps rising)
	shapeFalling  = "falling"   // a gradual fall
	shapeStepUp   = "step up"   // one change to a higher level that stays: a late onset
	shapeStepDown = "step down" // one change to a lower level: errors early that stopped
	shapeEpisode  = "episode"   // a higher level between two lower ones: an outage that recovered
	shapeDip      = "dip"       // a lower level between two higher ones
)

// DetectorErrorRate is the error-rate detector's name.
const DetectorErrorRate Detector = "error-rate"

// errorRate is the error-rate detector.
type errorRate struct{}

func (errorRate) name() Detector { return DetectorErrorRate }

func (errorRate) perSource() bool { return false }

// detect measures the error rate per window (thirds of the load, the
// seed's 0-10/10-20/20-30 min for a 30-minute run) and its trend.
func (errorRate) detect(a *analyzer, s *capture.SourceTimeline) Finding {
	d := DetectorErrorRate
	ivs := a.res.Intervals
	if len(ivs) == 0 {
		return unknown(d, "", "the engine recorded no interval")
	}
	tot := a.res.Total.Total()
	ef := &ErrorFigures{Requests: tot.Requests, Failures: tot.Failures()}
	if tot.Requests > 0 {
		ef.Rate = float64(ef.Failures) / float64(ef.Requests)
	}
	ef.Windows = errorWindows(ivs, a.res.Start)
	ef.Slope = errorSlope(ivs, a.res.Start)
	sg := errorSegments(ivs, a.res.Start)
	ef.Segments, ef.ChangeP, ef.Dispersion = sg.parts, sg.p, sg.dispersion
	ef.Trend = errorShape(ef, sg)
	f := Finding{Detector: d, Errors: ef}
	for _, w := range ef.Windows {
		f.Evidence = append(f.Evidence, fmt.Sprintf("%s: %s of %s requests failed (%s 429s apart).",
			w.Label, human.Percent(w.Rate), human.Count(w.Requests), human.Count(w.RateLimited)))
	}
	f.Evidence = append(f.Evidence, fmt.Sprintf("Theil-Sen slope of the per-interval error rate: %+.3f points per minute (95%% CI %+.3f to %+.3f).",
		100*ef.Slope.Slope, 100*ef.Slope.Lo, 100*ef.Slope.Hi))
	if len(ef.Segments) > 1 {
		f.Evidence = append(f.Evidence, segmentEvidence(ef, a.res.Start))
	}
	for i, e := range a.res.Total.Errors {
		if i == 5 {
			break
		}
		f.Evidence = append(f.Evidence, fmt.Sprintf("%s x %s %s: %s (first %s, last %s).", human.Count(e.Count), e.Method, e.Name, e.Error,
			e.First.Format(time.TimeOnly), e.Last.Format(time.TimeOnly)))
	}
	f.Events = errorBursts(ivs, a.th.ErrorRate)
	limit := a.th.ErrorRate
	judgeErrors(&f, ef, limit, a.res.Start)
	return f
}

// errorWindows splits the load into thirds (exactly 0-10, 10-20, 20-30
// min for a 30-minute run) by the intervals' middles.
func errorWindows(ivs []*engine.Interval, start time.Time) []ErrorWindow {
	end := ivs[len(ivs)-1].End
	total := end.Sub(start)
	third := total / 3
	ws := make([]ErrorWindow, 3)
	for i := range ws {
		ws[i].Start = start.Add(time.Duration(i) * third)
		ws[i].End = start.Add(time.Duration(i+1) * third)
	}
	ws[2].End = end
	for i := range ws {
		lo, hi := ws[i].Start.Sub(start), ws[i].End.Sub(start)
		if total >= 3*time.Minute {
			ws[i].Label = human.Minutes(lo) + "-" + human.Minutes(hi) + " min"
		} else {
			ws[i].Label = human.Seconds(lo) + "-" + human.Seconds(hi) + " s"
		}
	}
	for _, iv := range ivs {
		mid := iv.Start.Add(iv.Duration() / 2)
		i := min(int(mid.Sub(start)/max(third, 1)), 2)
		req, fail, limited := ivCounts(iv)
		ws[i].Requests += req
		ws[i].Failures += fail
		ws[i].RateLimited += limited
	}
	for i := range ws {
		if ws[i].Requests > 0 {
			ws[i].Rate = float64(ws[i].Failures) / float64(ws[i].Requests)
		}
	}
	return ws
}

// errorBursts returns the runs of intervals whose error rate exceeded
// limit, as events.
func errorBursts(ivs []*engine.Interval, limit float64) []Event {
	if limit <= 0 {
		return nil
	}
	var out []Event
	for _, iv := range ivs {
		req, fail, _ := ivCounts(iv)
		if req == 0 || float64(fail)/float64(req) <= limit {
			continue
		}
		if n := len(out); n > 0 && !iv.Start.After(out[n-1].End) {
			out[n-1].End = iv.End
			continue
		}
		out = append(out, Event{Kind: "errors", Start: iv.Start, End: iv.End, Detail: "error rate above " + human.Percent(limit)})
	}
	return out
}

// ivCounts sums an interval's requests, failures and 429s without
// merging its histograms.
func ivCounts(iv *engine.Interval) (req, fail, limited int64) {
	for i := range iv.Stats {
		s := &iv.Stats[i]
		req += s.Requests
		fail += s.Failures()
		limited += s.RateLimited
	}
	return req, fail, limited
}

// ErrorFigures are the error-rate detector's measurements (client side).
type ErrorFigures struct {
	Requests int64   `json:"requests"`
	Failures int64   `json:"failures"`
	Rate     float64 `json:"rate"` // Failures / Requests
	// Windows are the seed's 0-10, 10-20, 20-30 min for a 30-minute run,
	// thirds of the run otherwise.
	Windows []ErrorWindow `json:"windows"`
	// Trend is "rising", "falling" or "stable"; Slope is the Theil-Sen
	// slope of the per-interval error rate, in rate per minute.
	Trend string      `json:"trend"`
	Slope stats.Trend `json:"slope"`
	// Segments are the levels the per-interval error rate kept between
	// its change points (one segment when it did not change; see
	// errorSegments), ChangeP the p-value of the last change point kept
	// and Dispersion how much more the rate varied between intervals
	// than binomial noise (1 = not more).
	Segments   []ErrorSegment `json:"segments,omitempty"`
	ChangeP    float64        `json:"change_p,omitempty"`
	Dispersion float64        `json:"dispersion,omitempty"`
}

// ErrorWindow is one window's error rate.
type ErrorWindow struct {
	Label       string    `json:"label"` // "0-10 min"
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Requests    int64     `json:"requests"`
	Failures    int64     `json:"failures"`
	RateLimited int64     `json:"rate_limited"`
	Rate        float64   `json:"rate"`
}

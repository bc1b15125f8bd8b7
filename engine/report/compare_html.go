package report

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"time"

	"github.com/soaklab/soak/engine/compare"
)

//go:embed compare_html.tmpl
var compareHTMLFiles embed.FS

// compareTemplate is the run report's templates (the style sheet, the
// "chart" drawing) with the comparison's page, "compare".
var compareTemplate = template.Must(template.Must(htmlTemplate.Clone()).ParseFS(compareHTMLFiles, "compare_html.tmpl"))

// comparePage is what the "compare" template renders.
type comparePage struct {
	C            *compare.Comparison
	Title        string
	VerdictClass string
	Pairs        []chartPair
	Rows         []compareRow
}

// chartPair is one figure of BASE and of NEW, side by side.
type chartPair struct{ Base, New chartView }

// compareRow is a check as the table shows it.
type compareRow struct {
	Endpoint, Metric, Base, New, Change, Interval, Confidence, Status, Class, Why string
}

// CompareHTML returns the Reporter of c's HTML report: one
// self-contained file (inline CSS and SVG, no script, no fetch) with the
// verdict, side-by-side charts of BASE and NEW on one time axis (time
// since each run's start) and one scale: p95 and throughput of every
// endpoint together, failures per second, and the p95 of each endpoint
// that regressed or improved; then every check, the findings, the
// system figures and the method.
func CompareHTML(c *compare.Comparison) Reporter {
	return func(w io.Writer) error {
		p := &comparePage{C: c, Title: "soak compare: " + string(c.Verdict)}
		switch c.Verdict {
		case compare.VerdictRegression:
			p.VerdictClass = "fail"
		case compare.VerdictImprovement, compare.VerdictNoChange:
			p.VerdictClass = "ok"
		default:
			p.VerdictClass = "warn"
		}
		p.Pairs = comparePairs(c)
		for i := range c.Checks {
			p.Rows = append(p.Rows, compareRowOf(&c.Checks[i]))
		}
		return compareTemplate.ExecuteTemplate(w, "compare", p)
	}
}

func compareRowOf(ch *compare.Check) compareRow {
	r := compareRow{Endpoint: ch.Endpoint, Metric: string(ch.Metric), Status: string(ch.Status), Why: ch.Why}
	switch ch.Status {
	case compare.StatusRegression:
		r.Class = "fail"
	case compare.StatusImprovement:
		r.Class = "ok"
	default:
		r.Class = "unknown"
	}
	if ch.Status == compare.StatusInsufficient {
		return r
	}
	r.Base, r.New, r.Change = compareValue(ch, ch.Base), compareValue(ch, ch.New), compareChange(ch, ch.Change)
	r.Interval = compareChange(ch, ch.Low) + ".." + compareChange(ch, ch.High)
	r.Confidence = fmt.Sprintf("%.1f%%", 100*ch.Confidence)
	return r
}

// comparePairs draws the figures of both runs on BASE's clock: NEW's
// times are shifted by the difference of the runs' starts.
func comparePairs(c *compare.Comparison) []chartPair {
	shift := c.BaseStart.Sub(c.NewStart)
	dom := timeDomain{origin: c.BaseStart}
	dom.include(c.BaseStart)
	for _, w := range c.BaseTimeline {
		dom.include(w.End)
	}
	for _, w := range c.NewTimeline {
		dom.include(w.End.Add(shift))
	}
	type figure struct {
		id, title, unit string
		value           func(w *compare.Window) float64
	}
	p95 := func(ep string) func(w *compare.Window) float64 {
		return func(w *compare.Window) float64 {
			s, ok := w.Endpoints[ep]
			if !ok || s.Requests == 0 {
				return math.NaN()
			}
			return s.P95
		}
	}
	figs := []figure{
		{"p95", "p95, every endpoint", "ms", p95(compare.AggregatedName)},
		{"rps", "Throughput", "requests/s", func(w *compare.Window) float64 {
			return windowRate(w.Endpoints[compare.AggregatedName].Requests, w)
		}},
		{"failures", "Failures", "per second", func(w *compare.Window) float64 {
			return windowRate(w.Endpoints[compare.AggregatedName].Failures, w)
		}},
	}
	seen := map[string]bool{compare.AggregatedName: true}
	for _, ch := range c.Checks {
		if (ch.Status == compare.StatusRegression || ch.Status == compare.StatusImprovement) && !seen[ch.Endpoint] {
			seen[ch.Endpoint] = true
			figs = append(figs, figure{fmt.Sprintf("ep%d", len(figs)), "p95, " + ch.Endpoint, "ms", p95(ch.Endpoint)})
		}
	}
	var out []chartPair
	for _, f := range figs {
		b := seriesOf(c.BaseTimeline, 0, f.value)
		n := seriesOf(c.NewTimeline, shift, f.value)
		top := math.Max(maxOf(b), maxOf(n))
		out = append(out, chartPair{
			Base: buildChart(chartSpec{id: "base-" + f.id, title: "BASE: " + f.title, unit: f.unit, top: top,
				series: []series{{name: "BASE", points: b}}}, dom),
			New: buildChart(chartSpec{id: "new-" + f.id, title: "NEW: " + f.title, unit: f.unit, top: top,
				series: []series{{name: "NEW", points: n}}}, dom),
		})
	}
	return out
}

func windowRate(n int64, w *compare.Window) float64 {
	if s := w.Seconds(); s > 0 {
		return float64(n) / s
	}
	return math.NaN()
}

// seriesOf is value over the windows, at their middles shifted by shift.
func seriesOf(ws []compare.Window, shift time.Duration, value func(*compare.Window) float64) []point {
	out := make([]point, 0, len(ws))
	for i := range ws {
		w := &ws[i]
		out = append(out, point{w.Start.Add(w.End.Sub(w.Start) / 2).Add(shift), value(w)})
	}
	return out
}

func maxOf(pts []point) float64 {
	m := 0.0
	for _, p := range pts {
		if !math.IsNaN(p.v) && !math.IsInf(p.v, 0) {
			m = max(m, p.v)
		}
	}
	return m
}

package report

import (
	"embed"
	"html/template"
	"io"
	"math"
	"time"

	"github.com/soaklab/soak/engine/analysis"
)

//go:embed html.tmpl html_css.tmpl
var htmlFiles embed.FS

// htmlTemplate is parsed once; html/template escapes every value by its
// context (text, attribute, URL), names from user scenarios included.
// html.tmpl is the page, html_css.tmpl its inline style sheet.
var htmlTemplate = template.Must(template.New("html.tmpl").Funcs(htmlFuncs).ParseFS(htmlFiles, "html.tmpl", "html_css.tmpl"))

// htmlPage is what html.tmpl renders.
type htmlPage struct {
	Doc    *Document
	Title  string
	Charts []chartView   // client side: users, throughput, latency, failures
	A      *analysisView // nil without an analysis
}

// HTML returns the Reporter of the run's HTML report: one self-contained
// file (inline CSS and SVG, no script, no fetch: it opens offline) with the
// summary, charts over time (users, requests/s, p50/p95/p99, failures and
// 429s per second), the endpoint table and the errors. With an analysis it
// adds the seed template's sections as the Markdown report has them
// (results summary against targets, stability analysis, issues,
// recommendations, capacity, environment), every finding, and the
// server-side charts (heap, goroutines, pool acquired and wait, cache hit
// rate, rate limiting) on the same timeline, with detected events marked
// on the latency chart. Every string is escaped by html/template. Its size
// grows with the run's series, which the engine bounds (1,800 intervals
// by default), not with the run's length.
func HTML(run Run) Reporter {
	return func(w io.Writer) error {
		var rep *Report
		if run.Analysis != nil {
			rep = NewReport(run.Analysis, run.Capacity)
		}
		return writeHTML(w, run, rep)
	}
}

// writeHTML renders run, and rep (the analysis's report model) when the
// run has an analysis.
func writeHTML(w io.Writer, run Run, rep *Report) error {
	d, err := NewDocument(run)
	if err != nil {
		return err
	}
	p := &htmlPage{Doc: d, Title: "soak report: " + d.Run.Host}
	dom := timeDomain{origin: d.Run.Start}
	dom.include(d.Run.Start)
	dom.include(d.Run.End)
	client := clientCharts(d)
	var server []chartSpec
	if a := run.Analysis; a != nil {
		if rep == nil {
			rep = &Report{}
		}
		p.A = &analysisView{Report: rep, Findings: a.Findings, Issues: groupIssues(rep.Issues), Tiles: map[string]string{}}
		for _, t := range a.Performance {
			p.A.Tiles[t.Metric] = statusClass(string(t.Status))
		}
		if f := a.Find(analysis.DetectorUserQuits, ""); f != nil && f.Quits != nil {
			p.A.Quit, p.A.QuitClass = f.Quits.Quit, statusClass(string(f.Verdict))
		}
		var n int
		charts := chartsOf(a)
		server, n = serverChartSpecs(&charts)
		p.A.NoServer = n == 0
		p.A.NoProbe = !probed(a)
		marks := phaseMarks(a)
		for _, m := range marks {
			dom.include(m.at)
		}
		if a.Capture != nil {
			for _, s := range a.Capture.Timing {
				dom.include(s.End)
			}
		}
		for _, c := range server {
			for _, s := range c.series {
				for _, pt := range s.points {
					dom.include(pt.t)
				}
			}
		}
		for i := range client {
			client[i].marks = marks
			if client[i].id == "chart-latency" {
				client[i].bands = eventBands(charts.Events, d.Run.Start)
			}
		}
		for i := range server {
			server[i].marks = marks
		}
	}
	for _, c := range client {
		p.Charts = append(p.Charts, buildChart(c, dom))
	}
	if p.A != nil && !p.A.NoServer {
		for _, c := range server {
			if v := buildChart(c, dom); v.Empty {
				p.A.Unsampled = append(p.A.Unsampled, c.title)
			} else {
				p.A.ServerCharts = append(p.A.ServerCharts, v)
			}
		}
	}
	return htmlTemplate.Execute(w, p)
}

// clientCharts are the figures the engine measured, per interval: points
// at the interval's middle (users at its end), gaps where an interval had
// no request.
func clientCharts(d *Document) []chartSpec {
	n := len(d.Intervals)
	users := make([]point, 0, n)
	rps := make([]point, 0, n)
	fails := make([]point, 0, n)
	limited := make([]point, 0, n)
	p50, p95, p99 := make([]point, 0, n), make([]point, 0, n), make([]point, 0, n)
	for _, iv := range d.Intervals {
		mid := iv.Start.Add(iv.End.Sub(iv.Start) / 2)
		users = append(users, point{iv.End, float64(iv.Users)})
		rps = append(rps, point{mid, iv.RPS})
		fails = append(fails, point{mid, iv.FailuresPerSecond})
		limited = append(limited, point{mid, iv.RateLimitedPerSecond})
		l50, l95, l99 := iv.P50Ms, iv.P95Ms, iv.P99Ms
		if iv.Requests == 0 {
			l50, l95, l99 = math.NaN(), math.NaN(), math.NaN()
		}
		p50 = append(p50, point{mid, l50})
		p95 = append(p95, point{mid, l95})
		p99 = append(p99, point{mid, l99})
	}
	return []chartSpec{
		{id: "chart-users", title: "Users", unit: "users", series: []series{{name: "running users", points: users}}},
		{id: "chart-rps", title: "Throughput", unit: "requests/s", series: []series{{name: "requests/s", points: rps}}},
		{id: "chart-latency", title: "Response time", unit: "ms", series: []series{
			{name: "p50", points: p50}, {name: "p95", points: p95}, {name: "p99", points: p99}}},
		{id: "chart-failures", title: "Failures and rate limiting", unit: "per second", series: []series{
			{name: "failures/s", points: fails}, {name: "429s/s", points: limited}}},
	}
}

// spanText is a time range as elapsed time from the run's start.
func spanText(start, end, origin time.Time) string {
	return elapsed(start.Sub(origin)) + "–" + elapsed(end.Sub(origin))
}

package report

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/capture"
)

// analysed attaches a hand-made analysis to res, timed on res's clock:
// phases, a detected pool exhaustion with a suspect and an event (whose
// detail is hostile), a clean memory finding, targets, server series, and
// a report model with every section. The analysis's figures are tested
// in engine/analysis and NewReport's rows in this package's Markdown
// tests; this is about laying them out.
func analysed(res *engine.Result) (*analysis.Result, *Report) {
	start, end := res.Total.Start, res.Total.End
	at := func(f float64) time.Time { return start.Add(time.Duration(f * float64(end.Sub(start)))) }
	// The server series (report.Charts, built from the capture): a heap
	// and a pool, one sample per step from the baseline to the drain.
	var points []capture.Point
	for i := 0; i <= 40; i++ {
		f := float64(i)/40*1.2 - 0.1 // from the baseline to the drain
		points = append(points, capture.Point{Time: at(f), LiveHeapBytes: uint64((30 + 10*math.Sin(float64(i)/3)) * (1 << 20)),
			Pools: []capture.PoolPoint{{Name: "db", Acquired: int32(min(i, 10)), Max: 10}}})
	}
	ev := analysis.Event{Kind: "pool-exhausted", Source: "svc-1", Start: at(0.3), End: at(0.6), Detail: hostile[0]}
	a := &analysis.Result{
		Engine: res,
		Capture: &capture.Capture{Timeline: capture.Timeline{Sources: []*capture.SourceTimeline{
			{Name: "svc-1", Points: points}}}, Timing: capture.Timing{
			{Phase: capture.PhaseBaseline, Start: at(-0.1), End: at(0)}, {Phase: capture.PhaseWarmup, Start: at(0), End: at(0.2)},
			{Phase: capture.PhaseSteady, Start: at(0.2), End: at(1)}, {Phase: capture.PhaseDrain, Start: at(1), End: at(1.1)},
		}},
		Findings: []analysis.Finding{{
			Detector: analysis.DetectorPoolExhaustion, Source: "svc-1", Verdict: analysis.VerdictDetected,
			Severity: analysis.SeverityHigh, Confidence: 0.93, Summary: "pool db exhausted for 30% of the steady state",
			Evidence: []string{"p95 40 ms while exhausted, 12 ms otherwise", hostile[1]},
			NextStep: "raise the pool's max to 24 connections (Little's law)",
			Suspects: []analysis.Suspect{{Function: "demo.rankWhileHoldingConn", File: "handlers.go", Line: 42, Value: 3,
				Unit: "connections", Share: 1, Detail: "holds its connection while ranking", Profile: "profiles/svc-1-goroutine.pb.gz"}},
			Events: []analysis.Event{ev},
		}, {
			Detector: analysis.DetectorMemoryLeak, Source: "svc-1", Verdict: analysis.VerdictOK, Confidence: 0.9,
			Summary: "live heap flat: +0.1 MB/hour (-0.5..0.7)",
		}},
		Performance: []analysis.Target{{Metric: "P95 Latency", Target: "< 500ms", Actual: "40 ms", Status: analysis.StatusPass}},
		System: []analysis.Target{{Component: "Database", Metric: "Connection Pool", Target: "< 80%", Actual: "100%",
			Status: analysis.StatusFail, Why: "peak over the steady state, pool db"}},
		Notes: []string{"probe svc-2 unreachable: its rows are not measured"},
	}
	rep := &Report{
		Title:       "Sustained Load Test Results",
		Classes:     []ClassShare{{Name: "AuthenticatedUser", Percent: 70, Users: 140}, {Name: hostile[3], Percent: 30, Users: 60}},
		Command:     "soak run --host http://127.0.0.1:8000 --users 200 --probe-token REDACTED",
		Performance: a.Performance, System: a.System,
		Endpoints: []EndpointRow{{Method: "GET", Name: "/api/stories/[slug]", Requests: 1200, AvgMs: 12.5,
			P95Ms: 40, P99Ms: 80, Errors: 3, Status: analysis.StatusPass}},
		Stability: Stability{
			Memory: []KV{{Key: "Initial Memory", Value: "31.2 MB"}, {Key: "Leak Detected", Value: "No"}},
			Pool:   []KV{{Key: "Pool Exhaustion Events", Value: "1 (3 s)"}},
		},
		Windows: []analysis.ErrorWindow{{Label: "0-10 min", Requests: 100, Failures: 1, Rate: 0.01}},
		Issues: []Issue{{Severity: analysis.SeverityHigh, Title: "Pool db exhausted", Detail: []string{hostile[4]}},
			{Severity: analysis.SeverityMedium, Title: "429s above the policy"}},
		Actions:       Actions{Immediate: []string{"raise the pool's max to 24"}},
		Capacity:      []KV{{Key: "Max Concurrent Users", Value: "not measured: run soak capacity"}},
		Bottlenecks:   []string{"database pool"},
		NextSteps:     []Step{{Done: true, Text: "Execute sustained load test"}, {Text: "Address identified issues"}},
		Profiles:      []ProfileRef{{Path: "profiles/svc-1-heap-end.pb.gz", What: "heap at the steady state's end", Command: "go tool pprof -http=: profiles/svc-1-heap-end.pb.gz"}},
		Environment:   []KV{{Key: "OS", Value: "Debian GNU/Linux 12"}, {Key: "PostgreSQL Version", Value: "15.6"}},
		Hardware:      []KV{{Key: "CPU", Value: "2 cores"}},
		ServiceConfig: []KV{{Key: "Rate Limit", Value: "100 req/min per user"}},
		Notes:         a.Notes,
		Verdict:       verdict(a, nil),
	}
	return a, rep
}

func renderAnalysed(t testing.TB, res *engine.Result) string {
	t.Helper()
	a, rep := analysed(res)
	var b bytes.Buffer
	if err := writeHTML(&b, Run{Analysis: a}, rep); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// analysisSections are the seed template's sections, as the HTML report
// lays them out with an analysis.
var analysisSections = []string{
	`id="notes"`, `<section id="results">`, `<h2 id="server">`, `<section id="stability">`, `<section id="findings">`,
	`<section id="issues">`, `<section id="recommendations">`, `<section id="capacity">`, `<section id="next-steps">`,
	`<section id="profiles">`, `<section id="environment">`, `id="chart-heap"`, `id="chart-pool-acquired"`,
}

func TestHTMLWithAnalysis(t *testing.T) {
	out := renderAnalysed(t, knownRun(t))
	for _, want := range append(analysisSections,
		"Top 10 endpoints by request count", "User distribution", "Execution command", "--probe-token REDACTED",
		`<span class="badge fail">Fail</span>`, `<span class="badge ok">Pass</span>`, `<span class="badge fail">detected</span>`,
		"demo.rankWhileHoldingConn (handlers.go:42)", "go tool pprof -http=: profiles/svc-1-heap-end.pb.gz",
		`class="band"`, "pool-exhausted [svc-1] 0:03–0:06", `class="mark-label"`, ">steady</text>", ">pool db max</title>",
		`stroke-dasharray="5 3"`, "High priority issues", "Pool db exhausted", "Debian GNU/Linux 12",
	) {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "<img", "<svg onload", "ZgotmplZ", "No probe sample"} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	// The server series start at the baseline, before the first interval:
	// every chart shares that domain, so the client charts start there too.
	if !strings.Contains(out, ">baseline</text>") || strings.Contains(out, `<text x="64" y="242" text-anchor="middle">0:00</text>`) ||
		!strings.Contains(out, `text-anchor="middle">0:00</text>`) {
		t.Error("the baseline is not on the charts' timeline, before 0:00")
	}
	if !strings.Contains(out, "No sample for: Cache hit rate") {
		t.Error("the server charts without samples are not listed")
	}
}

// Without a probe the real analysis says so, and the report shows it.
func TestHTMLWithAnalysisWithoutProbe(t *testing.T) {
	res := knownRun(t)
	a, err := analysis.Analyze(res, nil, analysis.Thresholds{})
	if err != nil {
		t.Fatal(err)
	}
	out := renderHTML(t, Run{Analysis: a})
	for _, want := range []string{"No probe sample", `<section id="findings">`, `<section id="stability">`, "No sample for: "} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

func TestJSONWithAnalysis(t *testing.T) {
	a, _ := analysed(knownRun(t))
	run := Run{Analysis: a}
	d := roundTrip(t, run)
	x := d.Analysis
	if x == nil || x.ExitCode != analysis.ExitUnstable || len(x.Findings) != 2 || x.Findings[0].Suspects[0].Line != 42 ||
		len(x.Phases) != 4 || len(x.Charts.PoolAcquired.Series) != 2 || x.System[0].Status != analysis.StatusFail {
		t.Errorf("analysis = %+v", x)
	}
	if d.Run.ID != "run-1" || d.Totals.Requests != 6 {
		t.Error("the engine result was not taken from the analysis")
	}
	// A figure JSON cannot hold is an error, not a broken file.
	a.Findings[1].Confidence = math.NaN()
	if err := JSON(run)(&bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "encoding the analysis") {
		t.Errorf("err = %v for a NaN figure", err)
	}
}

// Phase events become marks, not bands; an error burst reported interval by
// interval is one band.
func TestEventBands(t *testing.T) {
	sec := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }
	evs := []analysis.Event{
		{Kind: "phase", Start: sec(0), End: sec(5), Detail: "warmup"},
		{Kind: "errors", Start: sec(1), End: sec(2), Detail: "error rate above 0.5%"},
		{Kind: "errors", Start: sec(2), End: sec(3), Detail: "error rate above 0.5%"},
		{Kind: "errors", Start: sec(7), End: sec(8), Detail: "error rate above 0.5%"},
		{Kind: "pool-exhausted", Source: "svc-1", Start: sec(2), End: sec(4)},
	}
	bs := eventBands(evs, t0)
	if len(bs) != 3 || !bs[0].start.Equal(sec(1)) || !bs[0].end.Equal(sec(3)) || bs[2].label != "pool-exhausted" {
		t.Errorf("bands = %+v", bs)
	}
	if bs[0].title != "errors 0:01–0:03: error rate above 0.5%" {
		t.Errorf("title = %q", bs[0].title)
	}
	ms := phaseMarks(&analysis.Result{Findings: []analysis.Finding{{Events: evs}}})
	if len(ms) != 1 || ms[0].label != "warmup" {
		t.Errorf("marks = %+v", ms)
	}
}

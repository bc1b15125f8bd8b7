package report_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/report"
)

// exampleResult is a one-second run of four requests, built as `soak
// report` rebuilds a run from its saved intervals.
func exampleResult() *engine.Result {
	var h engine.Histogram
	for _, ms := range []int64{12, 15, 20, 150} {
		h.Record(ms * 1000) // µs
	}
	st := engine.Stat{Method: "GET", Name: "/api/stories/[slug]", Requests: 4, Bytes: 4096,
		SumMicros: 197_000, MinMicros: 12_000, MaxMicros: 150_000, Latency: &h}
	st.Kinds[engine.KindStatus5xx] = 1
	start := time.Date(2026, 2, 18, 10, 0, 0, 0, time.UTC)
	iv := &engine.Interval{Span: 1, Start: start, End: start.Add(time.Second), Users: 2, MaxUsers: 2,
		Stats: []engine.Stat{st}, Errors: []engine.ErrorStat{{Method: "GET", Name: "/api/stories/[slug]",
			Kind: engine.KindStatus5xx, Error: "HTTP 503 Service Unavailable", Count: 1, First: start, Last: start}}}
	info := engine.RunInfo{RunID: "example", Host: "http://127.0.0.1:8000", Model: "closed", Start: start,
		Interval: time.Second, Duration: time.Second, Users: 2}
	return engine.NewResult(info, []*engine.Interval{iv}, 0)
}

// Locust's quirks are kept: its 50% column (20) is not its median (15),
// as calculate_response_time_percentile and median_from_dict differ.
func ExampleLocustStats() {
	var b bytes.Buffer
	if err := report.LocustStats(report.Run{Result: exampleResult()})(&b); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(strings.ReplaceAll(b.String(), "\r\n", "\n")) // the file has Locust's CRLF line ends
	// Output:
	// Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%
	// GET,/api/stories/[slug],4,1,15,49.25,12.0,150.0,1024.0,4.0,1.0,20,20,150,150,150,150,150,150,150,150,150
	// ,Aggregated,4,1,15,49.25,12.0,150.0,1024.0,4.0,1.0,20,20,150,150,150,150,150,150,150,150,150
}

func ExampleWriteLocustCSV() {
	dir, err := os.MkdirTemp("", "soak-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	prefix := filepath.Join(dir, "sustained_load_results")
	if err := report.WriteLocustCSV(prefix, report.Run{Result: exampleResult()}, report.CSVOptions{}); err != nil {
		fmt.Println(err)
		return
	}
	names, _ := filepath.Glob(prefix + "_*.csv")
	for _, n := range names {
		fmt.Println(filepath.Base(n))
	}
	// Output:
	// sustained_load_results_exceptions.csv
	// sustained_load_results_failures.csv
	// sustained_load_results_stats.csv
	// sustained_load_results_stats_history.csv
}

func ExampleReadJSON() {
	var b bytes.Buffer
	if err := report.JSON(report.Run{Result: exampleResult()})(&b); err != nil {
		fmt.Println(err)
		return
	}
	d, err := report.ReadJSON(&b, "report.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	e := d.Endpoints[0]
	fmt.Println(d.Format, e.Method, e.Name)
	fmt.Printf("%d requests, %d failed, p50 %.3f ms, p99 %.3f ms\n", e.Requests, e.Failures, e.Percentiles["50"], e.Percentiles["99"])
	// Output:
	// soak/v1 GET /api/stories/[slug]
	// 4 requests, 1 failed, p50 15.007 ms, p99 150.000 ms
}

func ExampleHTML() {
	var b bytes.Buffer
	if err := report.HTML(report.Run{Result: exampleResult()})(&b); err != nil {
		fmt.Println(err)
		return
	}
	html := b.String()
	fmt.Println(strings.Contains(html, `<section id="endpoints">`), strings.Count(html, "<svg"), strings.Contains(html, "<script"))
	// Output:
	// true 4 false
}

// ExampleMarkdown writes the seed report of an analysed run (here a run
// without a probe: the server-side rows say why they are not measured).
func ExampleMarkdown() {
	res, err := analysis.Analyze(exampleResult(), nil, analysis.DefaultThresholds())
	if err != nil {
		fmt.Println(err)
		return
	}
	var b bytes.Buffer
	if err := report.Markdown(report.Run{Analysis: res})(&b); err != nil {
		fmt.Println(err)
		return
	}
	inBlock := false // a code block's "# " lines are shell comments, not the title
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, "```") {
			inBlock = !inBlock
		}
		if !inBlock && strings.HasPrefix(line, "# ") || strings.HasPrefix(line, "| P95 Latency") || strings.HasPrefix(line, "| Database | Connection Pool") {
			fmt.Println(line)
		}
	}
	// Output:
	// # Sustained Load Test Results
	// | P95 Latency | < 500ms | 150 ms | ✅ Pass |
	// | Database | Connection Pool | < 80% | not measured: no probe: the service was not polled (run with --probe URL, or InProcess in a test) | ❔ Not measured |
}

// A Run is given one way: by its analysis when it has one (the analysis
// carries the engine's result), by the engine's result otherwise.
func ExampleRun() {
	res := exampleResult()
	a, _ := analysis.Analyze(res, nil, analysis.DefaultThresholds())
	fmt.Println(report.JSON(report.Run{Analysis: a})(io.Discard))
	fmt.Println(report.JSON(report.Run{Result: res})(io.Discard))
	fmt.Println(report.JSON(report.Run{Result: res, Analysis: a})(io.Discard))
	fmt.Println(report.Markdown(report.Run{Result: res})(io.Discard))
	// Output:
	// <nil>
	// <nil>
	// report: run has both Result and Analysis: set Analysis alone (it carries the engine result)
	// report: run has no analysis (set Run.Analysis)
}

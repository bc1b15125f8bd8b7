package analysis_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
)

func ExampleDefaultThresholds() {
	th := analysis.DefaultThresholds()
	fmt.Println(th.P95, th.ErrorRate, th.Throughput, th.Pool, th.CacheHitRate)
	// Output: 500ms 0.005 100 0.8 0.7
}

// runOf is a client-side run of n one-second intervals of 100 requests,
// failures(i) of them failed.
func runOf(n int, failures func(i int) int64) *engine.Result {
	start := time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC)
	var ivs []*engine.Interval
	for i := range n {
		st := engine.Stat{Method: "GET", Name: "/checkout", Requests: 100, Latency: &engine.Histogram{}}
		for range 100 {
			st.Latency.Record(2000) // µs
		}
		st.Kinds[engine.KindStatus5xx] = failures(i)
		at := start.Add(time.Duration(i) * time.Second)
		ivs = append(ivs, &engine.Interval{Seq: i, Span: 1, Start: at, End: at.Add(time.Second), Users: 10, Stats: []engine.Stat{st}})
	}
	info := engine.RunInfo{Host: "http://127.0.0.1:8000", Model: "closed", Start: start, Interval: time.Second,
		Duration: time.Duration(n) * time.Second, Users: 10}
	return engine.NewResult(info, ivs, 0)
}

// Analyze a run whose errors grow: without a probe (a nil capture) the
// server-side detectors cannot decide, the error-rate one can.
func ExampleAnalyze() {
	res, err := analysis.Analyze(runOf(60, func(i int) int64 { return int64(i / 10) }), nil, analysis.DefaultThresholds())
	if err != nil {
		fmt.Println(err)
		return
	}
	f := res.Find(analysis.DetectorErrorRate, "")
	fmt.Println(f.Verdict, f.Errors.Trend, res.ExitCode() == analysis.ExitUnstable)
	fmt.Println(res.Find(analysis.DetectorMemoryLeak, "").Verdict)
	// Output:
	// detected rising true
	// unknown
}

// printT is a TestingT that prints what Verify reports.
type printT struct{}

func (printT) Helper() {}
func (printT) Errorf(format string, args ...any) {
	fmt.Println(strings.SplitN(fmt.Sprintf(format, args...), "\n", 2)[0])
}

// Verify fails a test with each defect; IgnoreDetector accepts one.
func ExampleVerify() {
	res, err := analysis.Analyze(runOf(60, func(i int) int64 { return int64(i / 10) }), nil, analysis.DefaultThresholds())
	if err != nil {
		fmt.Println(err)
		return
	}
	analysis.Verify(printT{}, res)
	analysis.Verify(printT{}, res, analysis.IgnoreDetector(analysis.DetectorErrorRate)) // says nothing
	// Output:
	// error-rate: detected (99%): the error rate rises through the run, 0.50% in the first window to 4.5% in the last
}

// Validate names every target out of range.
func ExampleThresholds_Validate() {
	th := analysis.DefaultThresholds()
	th.ErrorRate = 5 // meant 5 %: a fraction is 0.05
	fmt.Println(th.Validate())
	// Output: analysis: Thresholds.ErrorRate: 5 is not a fraction in [0, 1] (0.005 is 0.5%)
}

// A run without a probe checked nothing on the server side: it is
// inconclusive (exit 5), and the headline says what could not run. A
// client-side verdict, asked for, can be healthy, and says so.
func ExampleResult_Headline() {
	th := analysis.DefaultThresholds()
	th.Throughput = 50
	res, _ := analysis.Analyze(runOf(60, func(int) int64 { return 0 }), nil, th)
	fmt.Println(res.ExitCode(), res.Headline())
	res, _ = analysis.Analyze(runOf(60, func(int) int64 { return 0 }), nil, th, analysis.ClientOnly())
	fmt.Println(res.ExitCode(), res.Outcome())
	// Output:
	// 5 inconclusive: 1 check could not run (probe): the run cannot show the service healthy
	// 0 healthy
}

package report

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/analysis/capacity"
)

// percentileValues are PercentileKeys as numbers.
var percentileValues = []float64{50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99, 100}

// NewDocument builds the JSON document of run. The document shares
// nothing with run: changing one does not change the other.
func NewDocument(run Run) (*Document, error) {
	res, err := run.engine()
	if err != nil {
		return nil, err
	}
	t := res.Total
	secs := runSeconds(res)
	d := &Document{
		Format:         Format,
		Partial:        run.partial(res),
		Run:            runSummary(res),
		Generator:      generator(res),
		Totals:         endpoint(t.Total(), secs),
		Endpoints:      make([]Endpoint, 0, len(t.Stats)),
		Errors:         utcErrors(t.Errors),
		Exceptions:     utcErrors(t.Exceptions),
		ErrorsOverflow: t.ErrorsOverflow,
		UsersStarted:   t.Started,
		Quits:          utcErrors(t.Quits),
		IntervalsFile:  run.IntervalsFile,
		Intervals:      make([]IntervalSummary, 0, len(res.Intervals)),
	}
	for i := range t.Stats {
		d.Endpoints = append(d.Endpoints, endpoint(t.Stats[i], secs))
	}
	var scratch engine.Histogram // reused: merging into a fresh histogram per interval costs most of the time
	for _, iv := range res.Intervals {
		d.Intervals = append(d.Intervals, intervalSummary(iv, &scratch))
	}
	if a := run.Analysis; a != nil {
		if d.Analysis, err = analysisSummary(a, run.Capacity); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// analysisSummary copies what the document carries of a, through JSON so
// that the document shares nothing with a and holds exactly what a reader
// of the file gets.
func analysisSummary(a *analysis.Result, c *capacity.Result) (*Analysis, error) {
	s := Analysis{
		ExitCode: a.ExitCode(), Outcome: a.Outcome(), Headline: a.Headline(), Checks: a.Checks, Policy: a.Policy,
		Findings: a.Findings, Performance: a.Performance, System: a.System,
		Thresholds: a.Thresholds, Environment: a.Environment, Capacity: c, Notes: a.Notes,
		Charts: chartsOf(a),
	}
	if len(a.Stages) > 1 {
		s.Stages = a.Stages
	}
	if a.Capture != nil {
		s.Phases = a.Capture.Timing
		s.Warnings = a.Capture.Warnings
	}
	b, err := json.Marshal(&s)
	if err != nil { // e.g. a NaN figure, which JSON cannot hold
		return nil, fmt.Errorf("report: encoding the analysis: %w", err)
	}
	var out Analysis
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("report: decoding the analysis: %w", err)
	}
	return &out, nil
}

// JSON returns the Reporter of the run's JSON document ([NewDocument]):
// compact (a 30-minute run's is about 3.5 MB; `jq .` indents it), ending
// with a newline.
func JSON(run Run) Reporter {
	return func(w io.Writer) error {
		d, err := NewDocument(run)
		if err != nil {
			return err
		}
		return d.Write(w)
	}
}

// Write writes d as JSON, as [JSON] does: writing a document that
// ReadJSON returned gives back the same bytes.
func (d *Document) Write(w io.Writer) error {
	return json.NewEncoder(w).Encode(d)
}

func utc(t time.Time) time.Time { return t.Round(0).UTC() }

// withoutCredentials drops a URL's user:password, should one reach a
// report (the engine already keeps them out of RunInfo.Host); a host that
// does not parse is replaced rather than echoed.
func withoutCredentials(host string) string {
	u, err := url.Parse(host)
	if err != nil {
		return "(unparsable host)"
	}
	if u.User == nil {
		return host
	}
	u.User = nil
	return u.String()
}

func seconds(d time.Duration) float64 { return d.Seconds() }

func runSummary(res *engine.Result) RunSummary {
	t := res.Total
	return RunSummary{
		ID: res.RunID, Host: withoutCredentials(res.Host), Model: res.Model,
		Start: utc(t.Start), End: utc(t.End),
		DurationSeconds: seconds(t.End.Sub(t.Start)),
		PlannedSeconds:  seconds(res.Duration),
		IntervalSeconds: seconds(res.Interval),
		Width:           res.Width,
		Users:           res.Users, SpawnRate: res.SpawnRate, Rate: res.Rate, MaxRPS: res.MaxRPS,
		PeakUsers: res.PeakUsers,
		Classes:   append([]engine.ClassInfo{}, res.Classes...),
		Cores:     res.Cores, Transport: res.Transport,
	}
}

func generator(res *engine.Result) Generator {
	s := &res.Total.Schedule
	g := Generator{
		Bound: res.GeneratorBound, Reasons: slices.Clone(res.Reasons),
		CPUSeconds: seconds(res.Total.CPU),
		Arrivals:   s.Arrivals, Started: s.Started, Late: s.Late, Dropped: s.Dropped,
		MaxLagMs: millis(s.MaxLagMicros), LateAfterMs: millis(res.LateAfter),
	}
	if s.Started > 0 {
		g.MeanLagMs = float64(s.SumLagMicros) / 1000 / float64(s.Started)
	}
	return g
}

func perSec(n int64, secs float64) float64 {
	if secs <= 0 {
		return 0
	}
	return float64(n) / secs
}

func endpoint(st engine.Stat, secs float64) Endpoint {
	e := Endpoint{
		Method: st.Method, Name: st.Name,
		Requests: st.Requests, Successes: st.Successes(), Failures: st.Failures(),
		FailuresByKind: st.Kinds, RateLimited: st.RateLimited, Aborted: st.Aborted,
		Bytes: st.Bytes, AvgBytes: st.AvgBytes(),
		RPS: perSec(st.Requests, secs), FailuresPerSecond: perSec(st.Failures(), secs),
		RateLimitedPerSecond: perSec(st.RateLimited, secs),
		MeanMs:               st.Mean() / 1000, MinMs: millis(st.MinMicros), MaxMs: millis(st.MaxMicros),
		OutOfRange:  st.OutOfRange,
		Percentiles: make(map[string]float64, len(PercentileKeys)),
	}
	if st.Requests > 0 {
		for i, k := range PercentileKeys {
			e.Percentiles[k] = millis(st.Percentile(percentileValues[i]))
		}
	}
	return e
}

// intervalSummary summarises iv; scratch holds the merged latencies.
func intervalSummary(iv *engine.Interval, scratch *engine.Histogram) IntervalSummary {
	scratch.Reset()
	tot := engine.Stat{Name: engine.AggregatedName, Latency: scratch}
	for i := range iv.Stats {
		tot.Merge(&iv.Stats[i])
	}
	secs := iv.Duration().Seconds()
	s := IntervalSummary{
		Seq: iv.Seq, Span: iv.Span, Start: utc(iv.Start), End: utc(iv.End), Users: iv.Users,
		Requests: tot.Requests, Failures: tot.Failures(), RateLimited: tot.RateLimited, Aborted: tot.Aborted,
		RPS: perSec(tot.Requests, secs), FailuresPerSecond: perSec(tot.Failures(), secs),
		RateLimitedPerSecond: perSec(tot.RateLimited, secs),
		MeanMs:               tot.Mean() / 1000, P50Ms: millis(tot.Percentile(50)), P95Ms: millis(tot.Percentile(95)),
		P99Ms: millis(tot.Percentile(99)), MaxMs: millis(tot.MaxMicros),
		CPUSeconds: seconds(iv.CPU), Late: iv.Schedule.Late, Dropped: iv.Schedule.Dropped,
		MaxLagMs:  millis(iv.Schedule.MaxLagMicros),
		Endpoints: make([]IntervalEndpoint, 0, len(iv.Stats)),
	}
	for i := range iv.Stats {
		st := &iv.Stats[i]
		s.Endpoints = append(s.Endpoints, IntervalEndpoint{
			Method: st.Method, Name: st.Name, Requests: st.Requests, Failures: st.Failures(),
			RateLimited: st.RateLimited, MeanMs: st.Mean() / 1000, P50Ms: millis(st.Percentile(50)),
			P95Ms: millis(st.Percentile(95)), P99Ms: millis(st.Percentile(99)), MaxMs: millis(st.MaxMicros),
		})
	}
	return s
}

func utcErrors(es []engine.ErrorStat) []engine.ErrorStat {
	out := make([]engine.ErrorStat, len(es))
	for i, e := range es {
		e.First, e.Last = utc(e.First), utc(e.Last)
		out[i] = e
	}
	return out
}

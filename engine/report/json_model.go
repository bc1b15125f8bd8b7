package report

import (
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/analysis/capacity"
	"github.com/soaklab/soak/engine/analysis/stage"
	"github.com/soaklab/soak/engine/capture"
)

// Format is the "format" member of every JSON document this package writes
// and the only one [ReadJSON] accepts. A later version that changes or
// removes a member gets a new format; members are only ever added within
// soak/v1, so readers ignore members they do not know.
const Format = "soak/v1"

// Document is the JSON output of a run ("format": "soak/v1"): everything
// the run measured, in plain units — times in RFC 3339 UTC, durations in
// seconds (_s), latencies in milliseconds (_ms, at the histograms'
// precision: exact below 2.048 ms, within 0.1% above), rates per second.
// Unlike the Locust CSVs, 429s are counted apart from failures:
// Requests = Successes + Failures + RateLimited. [NewDocument] builds it,
// [JSON] writes it, [ReadJSON] reads it back and checks it.
type Document struct {
	Format  string `json:"format"`
	Partial bool   `json:"partial"` // the run did not finish (interrupted, or rebuilt from an unfinished run)

	Run       RunSummary `json:"run"`
	Generator Generator  `json:"generator"`

	// Totals is the whole run over every endpoint (Name "Aggregated");
	// Endpoints has one entry per (method, name), sorted by name then
	// method.
	Totals    Endpoint   `json:"totals"`
	Endpoints []Endpoint `json:"endpoints"`

	// Errors are the distinct request failures by (method, name, error),
	// most frequent first; Exceptions the errors returned by tasks (Name
	// "Class/task"); ErrorsOverflow counts the occurrences past the
	// engine's bound on distinct errors.
	Errors         []engine.ErrorStat `json:"errors"`
	Exceptions     []engine.ErrorStat `json:"exceptions"`
	ErrorsOverflow int64              `json:"errors_overflow"`
	// UsersStarted counts the users (or open-model workers) started;
	// Quits the ones that ended before the load did, by "Class/hook" and
	// reason (engine.Interval.Quits).
	UsersStarted int64              `json:"users_started"`
	Quits        []engine.ErrorStat `json:"quits"`

	// IntervalsFile names the JSON-lines file, beside this document, with
	// every interval as the engine wrote it (histograms included: see
	// engine.ReadIntervals); "" when not given.
	IntervalsFile string `json:"intervals_file,omitempty"`
	// Intervals summarises the run's series, one entry per element of the
	// engine's (possibly coarsened) series: Run.Width base intervals each.
	Intervals []IntervalSummary `json:"intervals"`

	// Analysis is the stability analysis, when the run had one (see
	// engine/analysis and docs/report.md); absent otherwise.
	Analysis *Analysis `json:"analysis,omitempty"`
}

// Analysis is the part of an analysis.Result a reader of the JSON needs:
// the verdicts and the figures behind them, not the raw probe samples
// (those stay in the results directory's capture files).
type Analysis struct {
	// ExitCode is analysis.Result.ExitCode: 0 (healthy), 3 (a target
	// missed), 4 (a defect detected) or 5 (inconclusive); Outcome says
	// which in a word, Headline in a line (analysis.Result.Headline).
	ExitCode int              `json:"exit_code"`
	Outcome  analysis.Outcome `json:"outcome"`
	Headline string           `json:"headline"`
	// Checks lists what the run checked, could not check (and why), and
	// skipped; Policy how it was judged beyond its targets.
	Checks []analysis.Check `json:"checks"`
	Policy analysis.Policy  `json:"policy"`
	// Findings has one finding per detector and source, most severe
	// first: verdict, confidence, evidence, suspects, next step.
	Findings []analysis.Finding `json:"findings"`
	// Performance and System are the Results Summary's target rows.
	Performance []analysis.Target   `json:"performance"`
	System      []analysis.Target   `json:"system"`
	Thresholds  analysis.Thresholds `json:"thresholds"`
	// Stages are the load levels of a run whose load changed during the
	// steady state (the plan's stages, changes made mid-run), each
	// measured after a settling time and judged on its own; absent for
	// one load level (see engine/analysis/stage).
	Stages []stage.Stage `json:"stages,omitempty"`
	// Phases are the run's baseline, warm-up, steady state and drain.
	Phases capture.Timing `json:"phases,omitempty"`
	// Warnings are the early warnings raised while the run went, first
	// warned first; the one that ended a fail-fast run has ended_run.
	Warnings    []capture.Warning   `json:"warnings,omitempty"`
	Environment capture.Environment `json:"environment"`
	Capacity    *capacity.Result    `json:"capacity,omitempty"`
	Notes       []string            `json:"notes,omitempty"`
	// Charts are the server-side series (heap, goroutines, pools, cache
	// hit rate, rate limiting) and the detected events, on the run's clock.
	Charts Charts `json:"charts"`
}

// RunSummary describes the run: its plan and its span.
type RunSummary struct {
	ID    string    `json:"id"`
	Host  string    `json:"host"`  // base URL, without credentials
	Model string    `json:"model"` // "closed" (users) or "open" (arrival rate)
	Start time.Time `json:"start"` // first interval's start
	End   time.Time `json:"end"`   // last interval's end

	DurationSeconds float64 `json:"duration_s"`         // End - Start
	PlannedSeconds  float64 `json:"planned_duration_s"` // the plan's load duration
	IntervalSeconds float64 `json:"interval_s"`         // the base interval's width
	Width           int     `json:"width"`              // base intervals per element of Intervals

	Users     int     `json:"users,omitempty"`      // closed: target users
	SpawnRate float64 `json:"spawn_rate,omitempty"` // closed: users/s (0: all at once)
	Rate      float64 `json:"rate,omitempty"`       // open: arrivals/s
	MaxRPS    float64 `json:"max_rps,omitempty"`    // global cap (0: none)
	PeakUsers int     `json:"peak_users"`           // most users (closed) or workers (open) at once

	Classes   []engine.ClassInfo `json:"classes"`
	Cores     int                `json:"cores"`     // cores available to the generator
	Transport string             `json:"transport"` // the HTTP client: "h1" or "net/http"
}

// Generator is what the load generator itself did: whether it, rather
// than the service, limited the load, and the open model's schedule.
type Generator struct {
	// Bound is set when the generator limited the load (arrivals dropped
	// or late, or its CPU saturated); Reasons says why. A report must not
	// blame the service for such a run's figures.
	Bound      bool     `json:"bound"`
	Reasons    []string `json:"reasons,omitempty"`
	CPUSeconds float64  `json:"cpu_s"` // generator process CPU (user+system)

	// The open model's arrivals (all zero in the closed model): due,
	// started, started later than LateAfterMs, dropped (every worker
	// busy); the start lag's mean and maximum.
	Arrivals    int64   `json:"arrivals"`
	Started     int64   `json:"started"`
	Late        int64   `json:"late"`
	Dropped     int64   `json:"dropped"`
	MeanLagMs   float64 `json:"mean_lag_ms"`
	MaxLagMs    float64 `json:"max_lag_ms"`
	LateAfterMs float64 `json:"late_after_ms"`
}

// Endpoint is one (method, name) over the whole run, or the total.
type Endpoint struct {
	Method string `json:"method"`
	Name   string `json:"name"`

	Requests       int64         `json:"requests"`  // completed: successes, failures and 429s
	Successes      int64         `json:"successes"` // neither failed nor rate limited
	Failures       int64         `json:"failures"`  // failed, 429s excluded
	FailuresByKind engine.ByKind `json:"failures_by_kind"`
	RateLimited    int64         `json:"rate_limited"` // HTTP 429 answers
	Aborted        int64         `json:"aborted"`      // cut short by the run's end, in no other count
	Bytes          int64         `json:"bytes"`        // response body bytes
	AvgBytes       float64       `json:"avg_bytes"`

	RPS                  float64 `json:"rps"` // Requests over the run's span
	FailuresPerSecond    float64 `json:"failures_per_s"`
	RateLimitedPerSecond float64 `json:"rate_limited_per_s"`

	MeanMs     float64 `json:"mean_ms"` // exact
	MinMs      float64 `json:"min_ms"`  // exact
	MaxMs      float64 `json:"max_ms"`  // exact
	OutOfRange int64   `json:"out_of_range"`
	// Percentiles maps PercentileKeys ("50", "95", "99.9", ...) to
	// latencies in ms, from the HDR histogram (the highest value
	// equivalent to the percentile's request); empty without requests.
	Percentiles map[string]float64 `json:"percentiles_ms"`
}

// PercentileKeys are the keys of Endpoint.Percentiles: Locust's
// PERCENTILES_TO_REPORT, in percent.
var PercentileKeys = []string{"50", "66", "75", "80", "90", "95", "98", "99", "99.9", "99.99", "100"}

// IntervalSummary is one element of the run's series: totals over every
// endpoint, and each endpoint's.
type IntervalSummary struct {
	Seq   int       `json:"seq"`  // first base interval covered, from 0
	Span  int       `json:"span"` // base intervals covered
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Users int       `json:"users"` // running at the end

	Requests    int64 `json:"requests"`
	Failures    int64 `json:"failures"` // 429s excluded
	RateLimited int64 `json:"rate_limited"`
	Aborted     int64 `json:"aborted"`

	RPS                  float64 `json:"rps"`
	FailuresPerSecond    float64 `json:"failures_per_s"`
	RateLimitedPerSecond float64 `json:"rate_limited_per_s"`

	MeanMs float64 `json:"mean_ms"`
	P50Ms  float64 `json:"p50_ms"`
	P95Ms  float64 `json:"p95_ms"`
	P99Ms  float64 `json:"p99_ms"`
	MaxMs  float64 `json:"max_ms"`

	CPUSeconds float64 `json:"cpu_s"`
	Late       int64   `json:"late,omitempty"`
	Dropped    int64   `json:"dropped,omitempty"`
	MaxLagMs   float64 `json:"max_lag_ms,omitempty"`

	Endpoints []IntervalEndpoint `json:"endpoints"`
}

// IntervalEndpoint is one (method, name) within an interval.
type IntervalEndpoint struct {
	Method      string  `json:"method"`
	Name        string  `json:"name"`
	Requests    int64   `json:"requests"`
	Failures    int64   `json:"failures"`
	RateLimited int64   `json:"rate_limited"`
	MeanMs      float64 `json:"mean_ms"`
	P50Ms       float64 `json:"p50_ms"`
	P95Ms       float64 `json:"p95_ms"`
	P99Ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
}

package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/soaklab/soak/probe"
)

// Verdict is a detector's decision.
type Verdict string

const (
	// VerdictOK: the detector looked and found nothing wrong.
	VerdictOK Verdict = "ok"
	// VerdictWarning: something worth a look, below the bar of a defect
	// (a plateau still settling, errors rising but within target, 429s
	// the policy does not explain).
	VerdictWarning Verdict = "warning"
	// VerdictDetected: a defect (leak, exhaustion, rising errors, a
	// latency drift). A detected finding makes [Result.ExitCode]
	// non-zero.
	VerdictDetected Verdict = "detected"
	// VerdictInconclusive: the detector measured, but this run cannot
	// tell a defect from a harmless behaviour (growth that may still
	// plateau, a steady state too short for the trend to decide); the
	// finding says what was seen and what run would decide. It makes
	// [Result.ExitCode] [ExitInconclusive] unless a defect or a missed
	// target says more.
	VerdictInconclusive Verdict = "inconclusive"
	// VerdictUnknown: the detector could not decide (no probe, probe
	// unreachable, too few samples); Finding.Unmeasured says why.
	VerdictUnknown Verdict = "unknown"
)

// Severity ranks a finding for the report's Issues Identified section.
type Severity int

// Severities, lowest first. SeverityNone is given to findings that are
// not issues (VerdictOK, VerdictUnknown).
const (
	SeverityNone Severity = iota
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

// String is "none", "medium", "high" or "critical".
func (s Severity) String() string {
	switch s {
	case SeverityMedium:
		return "medium"
	case SeverityHigh:
		return "high"
	case SeverityCritical:
		return "critical"
	}
	return "none"
}

// MarshalText encodes the severity by name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes what MarshalText wrote.
func (s *Severity) UnmarshalText(b []byte) error {
	for _, v := range []Severity{SeverityNone, SeverityMedium, SeverityHigh, SeverityCritical} {
		if v.String() == string(b) {
			*s = v
			return nil
		}
	}
	return fmt.Errorf("analysis: severity %q is not none, medium, high or critical", b)
}

// Finding is one detector's answer for one source: a verdict, how sure it
// is, the evidence it rests on, and what to do next.
//
// Its figures are a tagged union kept flat for report.json (whose shape
// docs/report.md documents and readers parse): Detector is the tag, and
// the one figure field of that detector is set (Memory for
// memory-leak, Goroutines for goroutine-leak, Connections for
// connection-leak, Pools and RedisPools for pool-exhaustion, Errors for error-rate,
// Latency for latency-trend,
// RateLimit for rate-limit, Restarts for restart, Quits for user-quits);
// every other figure field is nil. A
// VerdictUnknown finding may have none. In JSON each is a member named
// after the field ("memory", "pools", ...), absent when nil.
type Finding struct {
	Detector Detector `json:"detector"`
	// Source names the probe source (replica); "" for the client side.
	Source   string   `json:"source,omitempty"`
	Verdict  Verdict  `json:"verdict"`
	Severity Severity `json:"severity"`
	// Confidence is how sure the verdict is, 0..1 (see docs/report.md for
	// each detector's rule). 0 for VerdictUnknown.
	Confidence float64 `json:"confidence"`
	// Summary is one line for a table cell or a test failure.
	Summary string `json:"summary"`
	// Evidence lists the figures the verdict rests on, one per line.
	Evidence []string `json:"evidence,omitempty"`
	// NextStep says what to do: the function to read, the command to run.
	NextStep string `json:"next_step,omitempty"`
	// Suspects are the located causes, most likely first.
	Suspects []Suspect `json:"suspects,omitempty"`
	// Events are the time ranges the finding is about (exhausted pool
	// intervals, error bursts), on the engine's clock.
	Events []Event `json:"events,omitempty"`
	// Unmeasured says why the verdict is VerdictUnknown.
	Unmeasured string `json:"unmeasured,omitempty"`
	// Stage names the stages of a run whose load changed (Result.Stages)
	// in which the finding showed: "stage 2 (200 users)"; empty when the
	// run had one load level or the finding is not a stage's.
	Stage []string `json:"stage,omitempty"`

	// The figures of the detector named by Detector (see above): at most
	// one is set, the one of that detector.
	Memory      *MemoryFigures     `json:"memory,omitempty"`
	Goroutines  *GoroutineFigures  `json:"goroutines,omitempty"`
	Connections *ConnectionFigures `json:"connections,omitempty"`
	Pools       []PoolFigures      `json:"pools,omitempty"`
	RedisPools  []RedisPoolFigures `json:"redis_pools,omitempty"`
	Errors      *ErrorFigures      `json:"errors,omitempty"`
	Latency     *LatencyFigures    `json:"latency,omitempty"`
	RateLimit   *RateLimitFigures  `json:"rate_limit,omitempty"`
	Restarts    *RestartFigures    `json:"restarts,omitempty"`
	Quits       *QuitFigures       `json:"quits,omitempty"`
}

// rank orders verdicts by how much they say is wrong, for the worst of
// several: not measured, ok, warning, cannot tell, a defect.
func (v Verdict) rank() int {
	return map[Verdict]int{VerdictUnknown: 0, VerdictOK: 1, VerdictWarning: 2, VerdictInconclusive: 3, VerdictDetected: 4}[v]
}

// Failed reports whether the finding is a defect: a detected leak,
// exhaustion, rising error rate, latency drift, restart, users turned
// away, or 429s far above the policy.
func (f *Finding) Failed() bool { return f.Verdict == VerdictDetected }

// String is "memory-leak [replica-1]: detected (95%): summary".
func (f *Finding) String() string {
	src := ""
	if f.Source != "" {
		src = " [" + f.Source + "]"
	}
	conf := ""
	if f.Verdict != VerdictUnknown {
		conf = fmt.Sprintf(" (%.0f%%)", 100*f.Confidence)
	}
	return fmt.Sprintf("%s%s: %s%s: %s", f.Detector, src, f.Verdict, conf, f.Summary)
}

// maxConfidence caps a finding's confidence: no soak is certain.
const maxConfidence = 0.99

// Suspect is a located cause: a function at a file and line, with how
// much of the problem it accounts for.
type Suspect struct {
	Function string `json:"function"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	// Value is how much this suspect accounts for, in Unit: bytes grown
	// ("bytes"), goroutines ("goroutines"), connections held
	// ("connections").
	Value int64  `json:"value"`
	Unit  string `json:"unit"`
	// Share is Value's part of the detector's total, 0..1.
	Share float64 `json:"share,omitempty"`
	// Detail is free text: "holds its connection while in
	// demo.rankWhileHoldingConn", "2.1 per 1,000 GET /api/library/shelves".
	Detail string `json:"detail,omitempty"`
	// Stack is the suspect's call stack, innermost first (at most 16
	// frames).
	Stack []probe.Frame `json:"stack,omitempty"`
	// Routes counts the suspect's holds by HTTP route, with the rate per
	// 1,000 requests of that route.
	Routes []RouteRate `json:"routes,omitempty"`
	// Profile is the saved profile that shows the suspect (a path relative
	// to the report), "" when none was saved.
	Profile string `json:"profile,omitempty"`
}

// Location is "function (file:line)", or the function alone.
func (s *Suspect) Location() string {
	if s.File == "" {
		return s.Function
	}
	return fmt.Sprintf("%s (%s:%d)", s.Function, s.File, s.Line)
}

// RouteRate is how many holds requests of one route made, and the rate
// per 1,000 requests of that route (0 when the route's requests are not
// known).
type RouteRate struct {
	Method   string  `json:"method"`
	Route    string  `json:"route"`
	Count    int     `json:"count"`
	Requests uint64  `json:"requests"`
	Per1000  float64 `json:"per_1000"`
}

// routeRate is count holds (or goroutines) made by requests of one route,
// with the rate per 1,000 of the route's requests that snap counted (none
// when it counted none, or snap is nil).
func routeRate(method, route string, count int64, snap *probe.Snapshot) RouteRate {
	rr := RouteRate{Method: method, Route: route, Count: int(min(count, math.MaxInt32))}
	if snap != nil {
		if rs, ok := snap.HTTP.Route(method, route); ok && rs.Requests > 0 {
			rr.Requests = rs.Requests
			rr.Per1000 = 1000 * float64(count) / float64(rs.Requests)
		}
	}
	return rr
}

// Event is a time range worth marking on a chart: a pool exhausted, an
// error burst, a phase.
type Event struct {
	Kind   string    `json:"kind"` // e.g. "pool-exhausted", "errors"
	Source string    `json:"source,omitempty"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Detail string    `json:"detail,omitempty"`
}

// sortFindings orders findings by severity (highest first), then by
// detector order and source.
func sortFindings(fs []Finding) {
	order := func(d Detector) int { return slices.Index(Detectors, d) }
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(b.Severity, a.Severity), cmp.Compare(order(a.Detector), order(b.Detector)),
			cmp.Compare(a.Source, b.Source))
	})
}

// sortSuspects orders suspects by value, highest first.
func sortSuspects(s []Suspect) {
	slices.SortStableFunc(s, func(a, b Suspect) int { return cmp.Compare(b.Value, a.Value) })
}

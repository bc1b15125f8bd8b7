package analysis

import (
	"errors"
	"fmt"
	"time"
)

// Thresholds are the report's targets: the Target column of the seed's
// Performance Metrics and System Metrics tables. They are defined here
// once and used as they are by engine/scenario (a file's "thresholds:"),
// the CLI (--max-p95 and the other target flags) and the analysis, which
// judges the rows against them.
//
// A zero field turns its target off (its row says "no target");
// [DefaultThresholds] are the seed's. Durations are upper bounds; ratios
// are fractions in [0, 1] (0.005 is 0.5 %), upper bounds unless the field
// says "lower bound". [Thresholds.Validate] checks the ranges.
type Thresholds struct {
	// P50, P95 and P99 bound the latency percentiles of every request of
	// the run (Locust's figures). Seed: 200 ms, 500 ms, 1000 ms.
	P50 time.Duration `json:"p50_ns,omitempty"`
	P95 time.Duration `json:"p95_ns,omitempty"`
	P99 time.Duration `json:"p99_ns,omitempty"`
	// ErrorRate bounds failures / requests; 429s are not failures (see
	// the rate-limit row). Seed: 0.005.
	ErrorRate float64 `json:"error_rate,omitempty"`
	// Throughput is a lower bound on the run's requests per second, at
	// most 1e9. Seed: 100.
	Throughput float64 `json:"throughput_rps,omitempty"`
	// Pool bounds the peak acquired / max connections over the steady
	// state's samples. Seed: 0.8.
	Pool float64 `json:"pool,omitempty"`
	// QueryLatency bounds the p95 of every database statement over the
	// steady state. Seed: 50 ms.
	QueryLatency time.Duration `json:"query_latency_ns,omitempty"`
	// CacheHitRate is a lower bound on hits / (hits + misses) over the
	// steady state. Seed: 0.7.
	CacheHitRate float64 `json:"cache_hit_rate,omitempty"`
	// CacheMemory bounds the peak cache memory used / its maximum (or
	// entries / capacity). Seed: 0.8.
	CacheMemory float64 `json:"cache_memory,omitempty"`
	// CPU bounds the mean process CPU / cores available over the steady
	// state. Seed: 0.7.
	CPU float64 `json:"cpu,omitempty"`
	// Memory bounds the peak RSS / memory limit (the cgroup limit, else
	// the machine's RAM). Seed: 0.8.
	Memory float64 `json:"memory,omitempty"`
}

// DefaultThresholds returns the seed report's targets: P50 < 200 ms, P95 <
// 500 ms, P99 < 1000 ms, error rate < 0.5 %, throughput > 100 RPS, pool <
// 80 %, query latency < 50 ms, cache hit rate > 70 %, cache memory < 80 %,
// CPU < 70 %, memory < 80 %. A scenario without a thresholds section gets
// these; one with it overrides them field by field.
func DefaultThresholds() Thresholds {
	return Thresholds{
		P50: 200 * time.Millisecond, P95: 500 * time.Millisecond, P99: time.Second,
		ErrorRate: 0.005, Throughput: 100,
		Pool: 0.8, QueryLatency: 50 * time.Millisecond,
		CacheHitRate: 0.7, CacheMemory: 0.8, CPU: 0.7, Memory: 0.8,
	}
}

// maxThroughput bounds Thresholds.Throughput, in requests per second.
const maxThroughput = 1e9

// ThresholdError is one field of [Thresholds] out of range.
type ThresholdError struct {
	// Field is the field's Go name: "P95", "ErrorRate".
	Field string
	// Reason says what is wrong: "-1ns is negative (0 turns the target off)".
	Reason string
}

func (e *ThresholdError) Error() string { return "analysis: Thresholds." + e.Field + ": " + e.Reason }

// Validate reports every field out of range, in field order, each as a
// *ThresholdError (one error, or several joined with errors.Join): a
// negative duration, a ratio that is not a fraction in [0, 1] (or NaN),
// a throughput that is not a rate in [0, 1e9] requests per second. It
// returns nil for valid thresholds, the zero value included.
func (t Thresholds) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &ThresholdError{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"P50", t.P50}, {"P95", t.P95}, {"P99", t.P99}} {
		if d.v < 0 {
			bad(d.name, "%v is negative (0 turns the target off)", d.v)
		}
	}
	ratio := func(name string, v float64) {
		if !(v >= 0 && v <= 1) {
			bad(name, "%v is not a fraction in [0, 1] (0.005 is 0.5%%)", v)
		}
	}
	ratio("ErrorRate", t.ErrorRate)
	if !(t.Throughput >= 0 && t.Throughput <= maxThroughput) {
		bad("Throughput", "%v is not a rate in [0, 1e9] requests/s", t.Throughput)
	}
	ratio("Pool", t.Pool)
	if t.QueryLatency < 0 {
		bad("QueryLatency", "%v is negative (0 turns the target off)", t.QueryLatency)
	}
	ratio("CacheHitRate", t.CacheHitRate)
	ratio("CacheMemory", t.CacheMemory)
	ratio("CPU", t.CPU)
	ratio("Memory", t.Memory)
	return errors.Join(errs...)
}

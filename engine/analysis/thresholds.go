package analysis

import (
	"fmt"
	"math"
	"time"
)

// Thresholds are the report's targets: the Target column of the seed's
// Performance Metrics and System Metrics tables. A zero field turns its
// target off (its row says "no target"); [DefaultThresholds] are the
// seed's. Ratios are fractions: 0.005 is 0.5 %.
//
// The fields are those of engine/scenario's Thresholds, in the same order
// and with the same types, so a scenario's thresholds convert with
// analysis.Thresholds(s.Thresholds).
type Thresholds struct {
	// P50, P95 and P99 bound the latency percentiles of every request of
	// the run (Locust's figures). Seed: 200 ms, 500 ms, 1000 ms.
	P50 time.Duration `json:"p50_ns,omitempty"`
	P95 time.Duration `json:"p95_ns,omitempty"`
	P99 time.Duration `json:"p99_ns,omitempty"`
	// ErrorRate bounds failures / requests; 429s are not failures (see
	// the rate-limit row). Seed: 0.005.
	ErrorRate float64 `json:"error_rate,omitempty"`
	// Throughput is a lower bound on the run's requests per second.
	// Seed: 100.
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
// CPU < 70 %, memory < 80 %.
func DefaultThresholds() Thresholds {
	return Thresholds{
		P50: 200 * time.Millisecond, P95: 500 * time.Millisecond, P99: time.Second,
		ErrorRate: 0.005, Throughput: 100,
		Pool: 0.8, QueryLatency: 50 * time.Millisecond,
		CacheHitRate: 0.7, CacheMemory: 0.8, CPU: 0.7, Memory: 0.8,
	}
}

// orDefault returns *t, or the seed's targets when t is nil.
func orDefaultThresholds(t *Thresholds) Thresholds {
	if t == nil {
		return DefaultThresholds()
	}
	return *t
}

// Validate reports a negative value, a ratio above 1 or a NaN, naming the
// field.
func (t Thresholds) Validate() error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"P50", t.P50}, {"P95", t.P95}, {"P99", t.P99}, {"QueryLatency", t.QueryLatency}} {
		if d.v < 0 {
			return fmt.Errorf("analysis: Thresholds.%s: %v is negative (0 turns the target off)", d.name, d.v)
		}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"ErrorRate", t.ErrorRate}, {"Pool", t.Pool}, {"CacheHitRate", t.CacheHitRate},
		{"CacheMemory", t.CacheMemory}, {"CPU", t.CPU}, {"Memory", t.Memory},
	} {
		if math.IsNaN(f.v) || f.v < 0 || f.v > 1 {
			return fmt.Errorf("analysis: Thresholds.%s: %v is not a fraction in [0, 1] (0.005 is 0.5%%)", f.name, f.v)
		}
	}
	if math.IsNaN(t.Throughput) || math.IsInf(t.Throughput, 0) || t.Throughput < 0 {
		return fmt.Errorf("analysis: Thresholds.Throughput: %v is not a rate", t.Throughput)
	}
	return nil
}

package analysis

import (
	"fmt"
	"math"
	"time"
)

// Thresholds are the report's targets. The zero value of a field means
// the seed report's target (see [DefaultThresholds]); a negative value
// turns that target off (its row says "no target"). Ratios are fractions:
// 0.005 is 0.5 %.
type Thresholds struct {
	P50 time.Duration `json:"p50_ns,omitempty"` // latency: below, default 200 ms
	P95 time.Duration `json:"p95_ns,omitempty"` // below, default 500 ms
	P99 time.Duration `json:"p99_ns,omitempty"` // below, default 1000 ms
	// ErrorRate: failures / requests, below; default 0.005. 429s are not
	// failures (see the rate-limit row).
	ErrorRate float64 `json:"error_rate,omitempty"`
	// Throughput: requests per second over the run, above; default 100.
	Throughput float64 `json:"throughput_rps,omitempty"`
	// PoolUtilization: peak acquired / max connections over the steady
	// state, below; default 0.8.
	PoolUtilization float64 `json:"pool_utilization,omitempty"`
	// QueryLatency: p95 of every database statement, below; default 50 ms.
	QueryLatency time.Duration `json:"query_latency_ns,omitempty"`
	// CacheHitRate: hits / (hits + misses) over the steady state, above;
	// default 0.7.
	CacheHitRate float64 `json:"cache_hit_rate,omitempty"`
	// CacheMemory: cache memory used / its maximum, below; default 0.8.
	CacheMemory float64 `json:"cache_memory,omitempty"`
	// CPU: peak process CPU / cores available over the steady state,
	// below; default 0.7.
	CPU float64 `json:"cpu,omitempty"`
	// Memory: peak RSS / memory limit (cgroup limit, else the machine's
	// RAM), below; default 0.8.
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
		PoolUtilization: 0.8, QueryLatency: 50 * time.Millisecond,
		CacheHitRate: 0.7, CacheMemory: 0.8, CPU: 0.7, Memory: 0.8,
	}
}

// WithDefaults returns t with every zero field set to the seed's target.
// Negative fields (targets turned off) stay negative.
func (t Thresholds) WithDefaults() Thresholds {
	d := DefaultThresholds()
	def := func(v *float64, dv float64) {
		if *v == 0 {
			*v = dv
		}
	}
	defD := func(v *time.Duration, dv time.Duration) {
		if *v == 0 {
			*v = dv
		}
	}
	defD(&t.P50, d.P50)
	defD(&t.P95, d.P95)
	defD(&t.P99, d.P99)
	defD(&t.QueryLatency, d.QueryLatency)
	def(&t.ErrorRate, d.ErrorRate)
	def(&t.Throughput, d.Throughput)
	def(&t.PoolUtilization, d.PoolUtilization)
	def(&t.CacheHitRate, d.CacheHitRate)
	def(&t.CacheMemory, d.CacheMemory)
	def(&t.CPU, d.CPU)
	def(&t.Memory, d.Memory)
	return t
}

// Validate reports a ratio above 1 (or NaN), naming the field. Negative
// values are allowed: they turn a target off.
func (t Thresholds) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"Thresholds.ErrorRate", t.ErrorRate}, {"Thresholds.PoolUtilization", t.PoolUtilization},
		{"Thresholds.CacheHitRate", t.CacheHitRate}, {"Thresholds.CacheMemory", t.CacheMemory},
		{"Thresholds.CPU", t.CPU}, {"Thresholds.Memory", t.Memory},
	} {
		if math.IsNaN(f.v) || f.v > 1 {
			return fmt.Errorf("analysis: %s: %v is not a fraction (0.005 is 0.5%%; negative turns it off)", f.name, f.v)
		}
	}
	if math.IsNaN(t.Throughput) || math.IsInf(t.Throughput, 0) {
		return fmt.Errorf("analysis: Thresholds.Throughput: %v is not a rate", t.Throughput)
	}
	return nil
}

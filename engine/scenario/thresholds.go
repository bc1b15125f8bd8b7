package scenario

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
)

// Thresholds are the targets a run is judged against: the Target column of
// the seed report's Performance Metrics and System Metrics tables. The
// analysis (engine/analysis) reads them; this package only parses and
// checks them.
//
// A zero field disables its target (nothing is judged). Durations are
// upper bounds; fractions are in [0, 1] (0.005 is 0.5 %), upper bounds
// unless the field says "lower bound". Which statistic a system target
// applies to (peak or average over the run, per replica) is the analysis's
// documented choice.
type Thresholds struct {
	// P50, P95 and P99 bound the latency percentiles of all requests of
	// the run. Defaults 200 ms, 500 ms and 1000 ms.
	P50, P95, P99 time.Duration
	// ErrorRate bounds the failed requests over all requests (rate-limit
	// hits, HTTP 429, are counted apart and do not fail). Default 0.005.
	ErrorRate float64
	// Throughput is a lower bound on the run's requests per second.
	// Default 100.
	Throughput float64
	// Pool bounds the database connection pool in use over its size.
	// Default 0.8.
	Pool float64
	// QueryLatency bounds the database query latency. Default 50 ms.
	QueryLatency time.Duration
	// CacheHitRate is a lower bound on cache hits over lookups. Default 0.7.
	CacheHitRate float64
	// CacheMemory bounds the cache's memory over its limit. Default 0.8.
	CacheMemory float64
	// CPU bounds the service's CPU use over the cores it may use.
	// Default 0.7.
	CPU float64
	// Memory bounds the service's memory over its limit. Default 0.8.
	Memory float64
}

// DefaultThresholds returns the seed report's targets: P50 < 200 ms,
// P95 < 500 ms, P99 < 1000 ms, error rate < 0.5 %, throughput > 100 RPS,
// pool < 80 %, query latency < 50 ms, cache hit rate > 70 %, cache
// memory < 80 %, CPU < 70 %, memory < 80 %. A scenario without a
// thresholds section gets these; one with it overrides field by field.
func DefaultThresholds() Thresholds {
	return Thresholds{
		P50:          200 * time.Millisecond,
		P95:          500 * time.Millisecond,
		P99:          1000 * time.Millisecond,
		ErrorRate:    0.005,
		Throughput:   100,
		Pool:         0.8,
		QueryLatency: 50 * time.Millisecond,
		CacheHitRate: 0.7,
		CacheMemory:  0.8,
		CPU:          0.7,
		Memory:       0.8,
	}
}

// validate reports out-of-range thresholds under "thresholds.<key>".
func (t *Thresholds) validate(r *reporter) {
	for _, d := range []struct {
		key string
		v   time.Duration
	}{{"p50", t.P50}, {"p95", t.P95}, {"p99", t.P99}, {"query_latency", t.QueryLatency}} {
		if d.v < 0 {
			r.field("thresholds."+d.key, "negative (%v)", d.v)
		}
	}
	for _, f := range []struct {
		key string
		v   float64
	}{{"error_rate", t.ErrorRate}, {"pool", t.Pool}, {"cache_hit_rate", t.CacheHitRate},
		{"cache_memory", t.CacheMemory}, {"cpu", t.CPU}, {"memory", t.Memory}} {
		if !(f.v >= 0 && f.v <= 1) {
			r.field("thresholds."+f.key, "%v is not a fraction in [0, 1] (write a percentage such as 80%%)", f.v)
		}
	}
	if !(t.Throughput >= 0 && t.Throughput <= 1e9) {
		r.field("thresholds.throughput", "%v is not a rate in [0, 1e9] requests/s", t.Throughput)
	}
	if r.has("thresholds.p50") || r.has("thresholds.p95") || r.has("thresholds.p99") {
		return // a percentile did not decode: comparing its default would mislead
	}
	if t.P50 > 0 && t.P95 > 0 && t.P50 > t.P95 {
		r.field("thresholds.p95", "%v is below p50 (%v)", t.P95, t.P50)
	}
	if t.P95 > 0 && t.P99 > 0 && t.P95 > t.P99 {
		r.field("thresholds.p99", "%v is below p95 (%v)", t.P99, t.P95)
	}
}

// thresholds decodes "thresholds:" over the defaults already in t. Each
// key takes "off" to disable its target.
func (d *decoder) thresholds(t *Thresholds, n ast.Node, field string) {
	dur := func(dst *time.Duration) func(ast.Node, string) {
		return func(v ast.Node, f string) {
			if d.off(v, f) {
				*dst = 0
			} else if x, ok := d.duration(v, f); ok {
				*dst = x
			}
		}
	}
	pct := func(dst *float64) func(ast.Node, string) {
		return func(v ast.Node, f string) {
			if d.off(v, f) {
				*dst = 0
				return
			}
			s, ok := d.str(v, f)
			if !ok {
				return
			}
			x, err := parsePercent(s)
			if err != nil {
				d.at(posOf(v), f, "%v", err)
				return
			}
			*dst = x
		}
	}
	d.fieldSet(n, field, map[string]func(ast.Node, string){
		"p50": dur(&t.P50), "p95": dur(&t.P95), "p99": dur(&t.P99),
		"error_rate": pct(&t.ErrorRate),
		"throughput": func(v ast.Node, f string) {
			if d.off(v, f) {
				t.Throughput = 0
				return
			}
			s, ok := d.str(v, f)
			if !ok {
				return
			}
			x, err := parseRPS(s)
			if err != nil {
				d.at(posOf(v), f, "%v", err)
				return
			}
			t.Throughput = x
		},
		"pool":           pct(&t.Pool),
		"query_latency":  dur(&t.QueryLatency),
		"cache_hit_rate": pct(&t.CacheHitRate),
		"cache_memory":   pct(&t.CacheMemory),
		"cpu":            pct(&t.CPU),
		"memory":         pct(&t.Memory),
	})
}

// off reports whether v is the word "off" (a disabled target).
func (d *decoder) off(v ast.Node, field string) bool {
	s, isString := d.resolve(v, field).(*ast.StringNode)
	return isString && strings.EqualFold(s.Value, "off")
}

// parsePercent reads "80%" or "0.5 %" as a fraction (0.8, 0.005). A bare
// number is refused: 0.5 could mean 0.5 % or 50 %.
func parsePercent(s string) (float64, error) {
	num, isPct := strings.CutSuffix(strings.TrimSpace(s), "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q is not a percentage such as 80%% (or off)", s)
	case !isPct:
		return 0, fmt.Errorf("%q has no %% sign; write %s%% (a bare number could be a fraction or a percentage)", s, num)
	case !(v >= 0 && v <= 100):
		return 0, fmt.Errorf("%q is not in [0%%, 100%%]", s)
	}
	return v / 100, nil
}

// parseRPS reads a request rate: "100", "100 rps" or "100/s".
func parseRPS(s string) (float64, error) {
	t := strings.TrimSpace(strings.ToLower(s))
	for _, suffix := range []string{"rps", "/s"} {
		t = strings.TrimSpace(strings.TrimSuffix(t, suffix))
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || !positiveRate(v, true) {
		return 0, fmt.Errorf("%q is not a rate such as 100 or 100 rps (requests/s)", s)
	}
	return v, nil
}

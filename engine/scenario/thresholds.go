package scenario

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/soaklab/soak/engine/analysis"
)

// thresholdKeys maps the fields of analysis.Thresholds to their keys
// under "thresholds:", for errors located in the file.
var thresholdKeys = map[string]string{
	"P50": "p50", "P95": "p95", "P99": "p99", "ErrorRate": "error_rate", "Throughput": "throughput",
	"Pool": "pool", "QueryLatency": "query_latency", "CacheHitRate": "cache_hit_rate",
	"CacheMemory": "cache_memory", "CPU": "cpu", "Memory": "memory",
}

// validateThresholds reports the thresholds analysis.Thresholds.Validate
// refuses, each under "thresholds.<key>" at its place in the file, and
// percentile targets out of order (p50 <= p95 <= p99), which a file
// stating all three most likely mistyped.
func validateThresholds(t *analysis.Thresholds, r *reporter) {
	if err := t.Validate(); err != nil {
		errs := []error{err}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = j.Unwrap()
		}
		for _, e := range errs {
			var te *analysis.ThresholdError
			if errors.As(e, &te) {
				r.field("thresholds."+thresholdKeys[te.Field], "%s", te.Reason)
			}
		}
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
func (d *decoder) thresholds(t *analysis.Thresholds, n ast.Node, field string) {
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

package compare

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Margins are how large a significant change must be to count: a
// change within them is "no significant change" whatever its confidence.
// Latency and throughput margins are relative (0.2 = 20 %), the error
// rate's is absolute (0.01 = one percentage point). A negative value
// turns the check off; zero flags every significant change.
type Margins struct {
	P50Regression float64 `json:"p50_regression"`
	P95Regression float64 `json:"p95_regression"`
	P99Regression float64 `json:"p99_regression"`
	// MinLatencyChange is the smallest latency change, either way, that
	// counts (sub-millisecond shifts are scheduler noise on a shared
	// machine, not a regression).
	MinLatencyChange time.Duration `json:"min_latency_change_ns"`
	// ErrorRateIncrease is in fraction points: 0.01 flags 0.5 % -> 1.6 %.
	ErrorRateIncrease float64 `json:"error_rate_increase"`
	ThroughputDrop    float64 `json:"throughput_drop"`
}

// DefaultMargins are soak compare's defaults (docs/compare.md says
// why): p50 and p95 +20 %, p99 +30 %, at least 2 ms; the error rate +1
// point; the throughput -10 %.
func DefaultMargins() Margins {
	return Margins{P50Regression: 0.20, P95Regression: 0.20, P99Regression: 0.30,
		MinLatencyChange: 2 * time.Millisecond, ErrorRateIncrease: 0.01, ThroughputDrop: 0.10}
}

// ErrMargin is wrapped by [Margins.Validate]'s errors, which name
// the field.
var ErrMargin = errors.New("compare: bad threshold")

// Validate checks every threshold is a number, and that the fractions
// that cannot exceed 1 do not (an error rate cannot rise 2 points per
// point, nor throughput drop more than all of it).
func (t Margins) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
		max  float64
	}{
		{"p50_regression", t.P50Regression, math.Inf(1)},
		{"p95_regression", t.P95Regression, math.Inf(1)},
		{"p99_regression", t.P99Regression, math.Inf(1)},
		{"error_rate_increase", t.ErrorRateIncrease, 1},
		{"throughput_drop", t.ThroughputDrop, 1},
	} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return fmt.Errorf("%w: %s: %v is not a number", ErrMargin, f.name, f.v)
		}
		if f.v > f.max {
			return fmt.Errorf("%w: %s: %g is above %g (100%%)", ErrMargin, f.name, f.v, f.max)
		}
	}
	if t.MinLatencyChange < 0 {
		return fmt.Errorf("%w: min_latency_change: %v is negative", ErrMargin, t.MinLatencyChange)
	}
	return nil
}

// forMetric is the threshold of metric m.
func (t Margins) forMetric(m Metric) float64 {
	switch m {
	case MetricP50:
		return t.P50Regression
	case MetricP95:
		return t.P95Regression
	case MetricP99:
		return t.P99Regression
	case MetricErrorRate:
		return t.ErrorRateIncrease
	case MetricThroughput:
		return t.ThroughputDrop
	}
	return -1
}

package compare

import (
	"fmt"
	"math"
	"slices"
)

// minShiftEndpoints is the fewest endpoints decided on a latency metric
// for [Comparison.runShifts] to read a run-wide shift from them: with
// two, one regressed endpoint would be half the "run".
const minShiftEndpoints = 3

// RunShift is a run-wide latency change: the median endpoint's change of
// one latency metric, beyond the metric's threshold. Every endpoint
// moved by about as much: the machine (a host busier during one run
// than the other, which the bootstrap cannot see: it is constant within
// each run) or the service as a whole.
type RunShift struct {
	Metric Metric `json:"metric"`
	// Change is the median over the endpoints of their relative change
	// (New/Base - 1).
	Change float64 `json:"change"`
	// Endpoints is how many endpoints it is the median of.
	Endpoints int `json:"endpoints"`
}

// runShifts judges each endpoint's latency beside the whole run's. When
// the median endpoint's p50 (p95, p99) moved beyond the metric's
// threshold, the run as a whole is slower (or faster), and the change is
// recorded in c.Shifts and a note. An endpoint that moved with the run
// is then not flagged on its own (its figures stay; its status becomes
// no significant change, saying so); one whose change beyond the run's
// is still over the threshold stays flagged. The Aggregated checks are
// left as they are: a run-wide slowdown still regresses there, named as
// the whole run's, so that a service slower everywhere still fails.
func (c *Comparison) runShifts() {
	for _, m := range []Metric{MetricP50, MetricP95, MetricP99} {
		th := c.Margins.forMetric(m)
		if th < 0 {
			continue
		}
		var idx []int
		var ratios []float64
		for i := range c.Checks {
			ch := &c.Checks[i]
			if ch.Metric != m || ch.Endpoint == AggregatedName || ch.Base <= 0 ||
				ch.Status == StatusInsufficient || ch.Status == StatusOff {
				continue
			}
			idx = append(idx, i)
			ratios = append(ratios, 1+ch.Change)
		}
		if len(idx) < minShiftEndpoints {
			continue
		}
		slices.Sort(ratios)
		shift := quantile(ratios, 0.5)
		if math.Abs(shift-1) <= th {
			continue
		}
		s := RunShift{Metric: m, Change: shift - 1, Endpoints: len(idx)}
		c.Shifts = append(c.Shifts, s)
		c.Notes = append(c.Notes, s.note())
		for _, i := range idx {
			ch := &c.Checks[i]
			beyond := (1+ch.Change)/shift - 1
			if (ch.Status == StatusRegression && beyond <= th) || (ch.Status == StatusImprovement && beyond >= -th) {
				ch.Status = StatusNoChange
				ch.Why = fmt.Sprintf("moved with the whole run (%s): %s beside it, within %s; the Aggregated checks judge the run",
					s.text(), ch.formatChange(beyond), ch.thresholdText())
			} else if ch.Status == StatusRegression || ch.Status == StatusImprovement {
				ch.Why += fmt.Sprintf("; %s beyond the whole run's %s", ch.formatChange(beyond), s.text())
			}
		}
		if agg := c.Find(AggregatedName, m); agg != nil && (agg.Status == StatusRegression || agg.Status == StatusImprovement) {
			agg.Why += "; the whole run moved (" + s.text() + "): the machine (busier during one run) or the service as a whole"
		}
	}
}

// text is "the median endpoint's p50 +120.0%, of 9".
func (s RunShift) text() string {
	return fmt.Sprintf("the median endpoint's %s %+.1f%%, of %d", s.Metric, 100*s.Change, s.Endpoints)
}

// note says what the shift means, for the outputs.
func (s RunShift) note() string {
	way := "slower"
	if s.Change < 0 {
		way = "faster"
	}
	return fmt.Sprintf("the whole run is %s at %s (%s): the machine (a host busier during one run) or the service as a whole; "+
		"each endpoint's %s is judged beside it, the Aggregated checks judge the run", way, s.Metric, s.text(), s.Metric)
}

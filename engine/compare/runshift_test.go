package compare

import (
	"maps"
	"strings"
	"testing"
)

// four endpoints, for a run-wide shift (the median of at least three).
var four = map[string]float64{"GET /a": 10, "GET /b": 20, "GET /c": 5, "GET /d": 8}

// scaled is means with every endpoint's latency times k, and those of
// extra times their own factor on top.
func scaled(means map[string]float64, k float64, extra map[string]float64) map[string]float64 {
	out := maps.Clone(means)
	for ep := range out {
		out[ep] *= k
		if f, ok := extra[ep]; ok {
			out[ep] *= f
		}
	}
	return out
}

// regressedEndpoints are the endpoints (not the aggregate) with a
// latency regression.
func regressedEndpoints(c *Comparison) map[string]bool {
	out := map[string]bool{}
	for _, ch := range c.Regressions() {
		if ch.Endpoint != AggregatedName && ch.Unit == "ms" {
			out[ch.Endpoint] = true
		}
	}
	return out
}

// TestUniformSlowdownIsTheRun: every endpoint twice as slow (a machine
// busier during NEW) is the whole run's shift: no endpoint is flagged on
// its own, the Aggregated p50 still regresses and says the whole run
// moved, and the shift is recorded.
func TestUniformSlowdownIsTheRun(t *testing.T) {
	b, n := synthetic(1, 40, four, 0), synthetic(2, 40, scaled(four, 2, nil), 0)
	c, err := Compare(b, n, Options{Margins: DefaultMargins()})
	if err != nil {
		t.Fatal(err)
	}
	if got := regressedEndpoints(c); len(got) > 0 {
		t.Errorf("endpoints flagged on a uniform slowdown: %v", got)
	}
	ch := c.Find("GET /a", MetricP50)
	if ch.Status != StatusNoChange || !strings.Contains(ch.Why, "moved with the whole run") || ch.Change < 0.8 {
		t.Errorf("GET /a p50: %s: %s (%+.2f)", ch.Status, ch.Why, ch.Change)
	}
	agg := c.Find(AggregatedName, MetricP50)
	if agg.Status != StatusRegression || !strings.Contains(agg.Why, "the whole run moved") || c.Verdict != VerdictRegression {
		t.Errorf("aggregate p50: %s: %s; verdict %s", agg.Status, agg.Why, c.Verdict)
	}
	if len(c.Shifts) == 0 || c.Shifts[0].Metric != MetricP50 || c.Shifts[0].Change < 0.8 || c.Shifts[0].Change > 1.2 || c.Shifts[0].Endpoints != 4 {
		t.Errorf("shifts %+v", c.Shifts)
	}
	if !strings.Contains(strings.Join(c.Notes, "\n"), "the whole run is slower at p50") {
		t.Errorf("notes %q", c.Notes)
	}
}

// TestOneRouteBeyondTheRun: one endpoint three times slower than a run
// that is twice as slow is flagged, beside the run, and the others are
// not; without the run-wide shift, that endpoint alone is flagged and no
// shift is recorded.
func TestOneRouteBeyondTheRun(t *testing.T) {
	b := synthetic(1, 40, four, 0)
	for _, tc := range []struct {
		name  string
		k     float64
		shift bool
	}{{"run twice as slow", 2, true}, {"run as fast", 1, false}} {
		n := synthetic(2, 40, scaled(four, tc.k, map[string]float64{"GET /c": 3}), 0)
		c, err := Compare(b, n, Options{Margins: DefaultMargins()})
		if err != nil {
			t.Fatal(err)
		}
		if got := regressedEndpoints(c); len(got) != 1 || !got["GET /c"] {
			t.Errorf("%s: endpoints flagged %v, want GET /c only", tc.name, got)
		}
		ch := c.Find("GET /c", MetricP50)
		if ch.Status != StatusRegression || tc.shift != strings.Contains(ch.Why, "beyond the whole run") {
			t.Errorf("%s: GET /c p50: %s: %s", tc.name, ch.Status, ch.Why)
		}
		if tc.shift != (len(c.Shifts) > 0) {
			t.Errorf("%s: shifts %+v", tc.name, c.Shifts)
		}
	}
}

// TestUniformSpeedupIsTheRun: every endpoint twice as fast is the run's
// shift too: no endpoint is an improvement on its own.
func TestUniformSpeedupIsTheRun(t *testing.T) {
	b, n := synthetic(1, 40, four, 0), synthetic(2, 40, scaled(four, 0.5, nil), 0)
	c, err := Compare(b, n, Options{Margins: DefaultMargins()})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range c.Checks {
		if ch.Endpoint != AggregatedName && ch.Unit == "ms" && ch.Status == StatusImprovement {
			t.Errorf("%s: %s", ch.Name(), ch.Why)
		}
	}
	if len(c.Shifts) == 0 || c.Shifts[0].Change > -0.3 {
		t.Errorf("shifts %+v", c.Shifts)
	}
}

package capacity

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/analysis/stats"
)

// stepsOf builds measured steps of users with the given throughputs; the
// step at index broke (when >= 0) is the breaking one, for why.
func stepsOf(users []int, rps []float64, broke int, why string) []Step {
	var out []Step
	for i, u := range users {
		s := Step{Users: u, Requests: int64(rps[i] * 10), Throughput: rps[i], P95: 5 * time.Millisecond, CPU: -1, PoolUtilization: -1}
		if i == broke {
			s.Broke, s.Why = true, why
		}
		out = append(out, s)
	}
	return out
}

// TestCapacityNoPeakEncodes is the bug seen with `soak capacity` against
// the demo: steps that never broke fit a law without coherency cost, whose
// peak was +Inf, and capacity.json and report.json failed to encode.
func TestCapacityNoPeakEncodes(t *testing.T) {
	usl := func(u stats.USL) func(n float64) float64 { return u.Throughput }
	cases := []struct {
		name  string
		users []int
		rps   func(n float64) float64
		broke int
		why   string
		want  []string
	}{
		{"linear, no step broke", []int{10, 20, 30}, func(n float64) float64 { return 0.62 * n }, -1, "",
			[]string{"no peak within the measured range: throughput still rising at 30 users", "straight line"}},
		{"contention only", []int{10, 20, 30, 40}, usl(stats.USL{Lambda: 10, Sigma: 0.02}), -1, "",
			[]string{"no peak within the measured range: throughput still rising at 40 users", "contention caps it near 500 RPS per replica"}},
		{"peak beyond the steps", []int{10, 20, 30, 40}, usl(stats.USL{Lambda: 10, Sigma: 0.01, Kappa: 0.0001}), -1, "",
			[]string{"no peak within the measured range: throughput still rising at 40 users", "the fit extrapolates a peak of"}},
		{"peak inside the steps", []int{10, 20, 40, 80, 120, 160}, usl(stats.USL{Lambda: 10, Sigma: 0.01, Kappa: 0.0001}), 5, "throughput stopped rising: x",
			[]string{"throughput peaks at", "near 99 users, within the measured range"}},
		{"broke on p95 before a peak", []int{10, 20, 30, 40}, func(n float64) float64 { return 0.62 * n }, 3, "p95 600ms above the 500ms target",
			[]string{"no peak within the measured range: throughput still rising at 30 users, the last step before the break"}},
		{"broke on flat throughput", []int{10, 20, 30, 40}, func(n float64) float64 { return 0.62 * math.Min(n, 30) }, 3, "throughput stopped rising: x",
			[]string{"measured throughput stopped rising at 40 users"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var rps []float64
			for _, u := range c.users {
				rps = append(rps, c.rps(float64(u)))
			}
			cr := NewResult("users", stepsOf(c.users, rps, c.broke, c.why), analysis.DefaultThresholds(), nil)
			if cr.USL == nil {
				t.Fatalf("no fit: %s", cr.USLError)
			}
			b, err := json.Marshal(cr)
			if err != nil {
				t.Fatalf("capacity.json: %v (fit %+v)", err, *cr.USL)
			}
			for _, w := range c.want {
				if !strings.Contains(cr.Peak, w) {
					t.Errorf("want %q in the peak words %q", w, cr.Peak)
				}
			}
			if out := string(b); strings.Contains(out, "Inf") || strings.Contains(out, "NaN") {
				t.Errorf("a non-finite figure in:\n%s", out)
			}
		})
	}
}

package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/analysis/capacity"
	"github.com/soaklab/soak/engine/analysis/stats"
	"github.com/soaklab/soak/engine/internal/synth"
)

// capacityOf summarises steps of users at the throughputs given by rps,
// the one at index broke (if any) broken for why.
func capacityOf(users []int, rps func(n float64) float64, broke int, why string) *capacity.Result {
	var steps []capacity.Step
	for i, u := range users {
		x := rps(float64(u))
		s := capacity.Step{Users: u, Requests: int64(x * 10), Throughput: x, P95: 5 * time.Millisecond, CPU: -1, PoolUtilization: -1}
		if i == broke {
			s.Broke, s.Why = true, why
		}
		steps = append(steps, s)
	}
	return capacity.NewResult("users", steps, analysis.DefaultThresholds(), nil)
}

// TestCapacityMarkdown: the capacity search's report has its steps, the
// breaking point, the USL fit and its peak words, and no non-finite
// figure, whether the steps peaked or kept rising.
func TestCapacityMarkdown(t *testing.T) {
	usl := stats.USL{Lambda: 10, Sigma: 0.01, Kappa: 0.0001}
	for _, cr := range []*capacity.Result{
		capacityOf([]int{10, 20, 40, 80, 120, 160}, usl.Throughput, 5, "throughput stopped rising: x"),
		capacityOf([]int{10, 20, 30}, func(n float64) float64 { return 0.62 * n }, -1, ""),
	} {
		var b bytes.Buffer
		if err := CapacityMarkdown(cr)(&b); err != nil {
			t.Fatal(err)
		}
		md := b.String()
		want := []string{"# Capacity Test Results\n", "## Steps", "| Users | Throughput (RPS) |", "**Scalability (USL)**: sigma",
			"**Peak Throughput**: " + cr.Peak, "### Scaling Recommendations", fmt.Sprintf("**Max Concurrent Users**: %d users met every target", cr.MaxUsers)}
		if cr.Broke {
			want = append(want, "❌ throughput stopped rising", fmt.Sprintf("**Breaking Point**: %g users: throughput stopped rising", cr.BreakingPoint))
		} else {
			want = append(want, "**Breaking Point**: not reached")
		}
		for _, w := range want {
			if !strings.Contains(md, w) {
				t.Errorf("missing %q in:\n%s", w, md)
			}
		}
		if strings.Contains(md, "Inf") || strings.Contains(md, "NaN") {
			t.Errorf("a non-finite figure in:\n%s", md)
		}
	}
	cr := capacityOf([]int{10, 20}, func(n float64) float64 { return n }, -1, "")
	cr.Partial = true
	var b bytes.Buffer
	if err := CapacityMarkdown(cr)(&b); err != nil || !strings.HasPrefix(b.String(), "# Capacity Test Results (partial: interrupted)\n") {
		t.Errorf("partial search: %v\n%.100s", err, b.String())
	}
}

// The sustained report takes its Capacity Planning from a capacity
// search when the run carries one.
func TestSustainedReportWithACapacitySearch(t *testing.T) {
	s := synth.New()
	s.AddIntervals(synth.SteadyLoad)
	r := analyze(s)
	c := capacityOf([]int{1, 2, 6}, func(n float64) float64 { return 50 * min(n, 2) }, 2, "throughput stopped rising: 100.0 RPS, best before 100.0 RPS (less than 5% more)")
	var b bytes.Buffer
	if err := Markdown(Run{Analysis: r, Capacity: c})(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, w := range []string{"- **Breaking Point**: 6 users: throughput stopped rising", "- **Max Concurrent Users**: 2 users met every target"} {
		if !strings.Contains(md, w) {
			t.Errorf("sustained report without the capacity figures (%q):\n%s", w, md)
		}
	}
}

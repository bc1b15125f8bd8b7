package compare

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/analysis"
)

// synthetic builds a run of n one-second windows of two endpoints whose
// latencies are noisy around their means (ms), seeded.
func synthetic(seed uint64, n int, means map[string]float64, failEvery int64) *Run {
	rng := rand.New(rand.NewPCG(seed, 7))
	start := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	r := &Run{Label: "synthetic", ID: "run", Start: start, Plan: Plan{Model: "closed", Users: 10, Duration: time.Minute,
		Classes: []Class{{Name: "Reader", Weight: 1, Tasks: 2}}}}
	for i := range n {
		w := Window{Start: start.Add(time.Duration(i) * time.Second), End: start.Add(time.Duration(i+1) * time.Second),
			Endpoints: map[string]Sample{}}
		var agg Sample
		for ep, m := range means {
			noise := 1 + 0.1*rng.NormFloat64()
			req := int64(190 + rng.IntN(20))
			s := Sample{Requests: req, P50: m * noise, P95: 2 * m * noise, P99: 3 * m * noise}
			if failEvery > 0 {
				s.Failures = req / failEvery
			}
			w.Endpoints[ep] = s
			agg.Requests += s.Requests
			agg.Failures += s.Failures
			agg.P50, agg.P95, agg.P99 = max(agg.P50, s.P50), max(agg.P95, s.P95), max(agg.P99, s.P99)
		}
		w.Endpoints[AggregatedName] = agg
		r.Windows = append(r.Windows, w)
	}
	r.Timeline = r.Windows
	return r
}

var clean = map[string]float64{"GET /a": 10, "GET /b": 20}

func TestSameRunNoChange(t *testing.T) {
	r := synthetic(1, 60, clean, 0)
	c, err := Compare(r, r, Options{Margins: DefaultMargins()})
	if err != nil {
		t.Fatal(err)
	}
	if c.Verdict != VerdictNoChange {
		t.Fatalf("verdict %s: %s", c.Verdict, c.Headline)
	}
	for _, ch := range c.Checks {
		if ch.Status != StatusNoChange || ch.Change != 0 || ch.Significant {
			t.Errorf("%s: %s change %g significant %v", ch.Name(), ch.Status, ch.Change, ch.Significant)
		}
	}
	if len(c.Checks) != 3*len(Metrics) {
		t.Errorf("%d checks, want %d", len(c.Checks), 3*len(Metrics))
	}
}

func TestTwoCleanRunsNoChange(t *testing.T) {
	for seed := range uint64(8) {
		c, err := Compare(synthetic(100+seed, 60, clean, 0), synthetic(200+seed, 60, clean, 0), Options{Margins: DefaultMargins()})
		if err != nil {
			t.Fatal(err)
		}
		if c.Verdict == VerdictRegression {
			t.Errorf("seed %d: %s", seed, c.Headline)
		}
	}
}

func TestSlowerEndpointFlagged(t *testing.T) {
	slow := map[string]float64{"GET /a": 10, "GET /b": 40}
	c, err := Compare(synthetic(1, 60, clean, 0), synthetic(2, 60, slow, 0), Options{Margins: DefaultMargins()})
	if err != nil {
		t.Fatal(err)
	}
	if c.Verdict != VerdictRegression || !strings.Contains(c.Headline, "GET /b p95") {
		t.Fatalf("verdict %s: %s", c.Verdict, c.Headline)
	}
	for _, m := range []Metric{MetricP50, MetricP95, MetricP99} {
		if ch := c.Find("GET /b", m); ch.Status != StatusRegression || ch.Confidence < 0.99 || ch.Change < 0.8 {
			t.Errorf("GET /b %s: %s %+v", m, ch.Status, ch)
		}
		if ch := c.Find("GET /a", m); ch.Status != StatusNoChange {
			t.Errorf("GET /a %s: %s: %s", m, ch.Status, ch.Evidence())
		}
	}
	// The reverse is an improvement.
	c, err = Compare(synthetic(2, 60, slow, 0), synthetic(1, 60, clean, 0), Options{Margins: DefaultMargins()})
	if err != nil {
		t.Fatal(err)
	}
	if c.Verdict != VerdictImprovement {
		t.Errorf("reverse: %s: %s", c.Verdict, c.Headline)
	}
}

func TestErrorRateAndThresholdOff(t *testing.T) {
	th := DefaultMargins()
	c, err := Compare(synthetic(1, 60, clean, 0), synthetic(1, 60, clean, 10), Options{Margins: th})
	if err != nil {
		t.Fatal(err)
	}
	if ch := c.Find("GET /a", MetricErrorRate); ch.Status != StatusRegression || ch.New < 0.09 {
		t.Errorf("error rate: %s", ch.Evidence())
	}
	th.ErrorRateIncrease = -1
	c, err = Compare(synthetic(1, 60, clean, 0), synthetic(1, 60, clean, 10), Options{Margins: th})
	if err != nil {
		t.Fatal(err)
	}
	if c.Verdict == VerdictRegression {
		t.Errorf("error rate check off: %s", c.Headline)
	}
}

func TestDeterministic(t *testing.T) {
	b, n := synthetic(1, 40, clean, 0), synthetic(2, 40, clean, 0)
	c1, _ := Compare(b, n, Options{Margins: DefaultMargins()})
	c2, _ := Compare(b, n, Options{Margins: DefaultMargins()})
	if !reflect.DeepEqual(c1, c2) {
		t.Error("two comparisons of the same runs differ")
	}
}

func TestPlanDiffers(t *testing.T) {
	b, n := synthetic(1, 20, clean, 0), synthetic(2, 20, clean, 0)
	n.Plan.Users = 20
	n.Plan.Duration = 2 * time.Minute
	n.Plan.Classes = append(n.Plan.Classes, Class{Name: "Writer", Weight: 1, Tasks: 1})
	_, err := Compare(b, n, Options{Margins: DefaultMargins()})
	var pe *PlanError
	if !errors.As(err, &pe) || !errors.Is(err, ErrPlansDiffer) {
		t.Fatalf("err %v", err)
	}
	for _, want := range []string{"users: 10 in BASE, 20 in NEW", "duration: 1m0s in BASE, 2m0s in NEW", "class Writer: in NEW only"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	c, err := Compare(b, n, Options{Margins: DefaultMargins(), AllowPlanChange: true})
	if err != nil || len(c.PlanChanges) != 3 {
		t.Fatalf("allowed: %v %v", err, c)
	}
}

func TestMarginsValidate(t *testing.T) {
	th := DefaultMargins()
	th.ThroughputDrop = 1.5
	if err := th.Validate(); !errors.Is(err, ErrMargin) || !strings.Contains(err.Error(), "throughput_drop") {
		t.Errorf("err %v", err)
	}
	if _, err := Compare(&Run{}, &Run{}, Options{Margins: th}); !errors.Is(err, ErrMargin) {
		t.Errorf("Compare: %v", err)
	}
}

func TestInsufficientIsInconclusive(t *testing.T) {
	c, err := Compare(synthetic(1, 3, clean, 0), synthetic(2, 3, clean, 0), Options{Margins: DefaultMargins()})
	if err != nil {
		t.Fatal(err)
	}
	if c.Verdict != VerdictInconclusive {
		t.Errorf("%s: %s", c.Verdict, c.Headline)
	}
}

func TestFindings(t *testing.T) {
	b, n := synthetic(1, 20, clean, 0), synthetic(1, 20, clean, 0)
	leak := analysis.Finding{Detector: analysis.DetectorMemoryLeak, Source: "svc-a", Verdict: analysis.VerdictDetected,
		Summary: "heap grows", Evidence: []string{"+40 MB/h"}, Memory: &analysis.MemoryFigures{MBPerHour: 40}}
	okMem := analysis.Finding{Detector: analysis.DetectorMemoryLeak, Source: "svc-b", Verdict: analysis.VerdictOK,
		Memory: &analysis.MemoryFigures{MBPerHour: 0.5}}
	pool := analysis.Finding{Detector: analysis.DetectorPoolExhaustion, Verdict: analysis.VerdictDetected}
	b.Findings = []analysis.Finding{okMem, pool}
	n.Findings = []analysis.Finding{leak}
	c, err := Compare(b, n, Options{Margins: DefaultMargins()})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Findings) != 2 || c.Findings[0].Status != FindingNew || c.Findings[0].Detector != analysis.DetectorMemoryLeak ||
		c.Findings[1].Status != FindingResolved {
		t.Fatalf("findings %+v", c.Findings)
	}
	if c.Verdict != VerdictRegression || !strings.Contains(c.Headline, "new finding memory-leak") {
		t.Errorf("%s", c.Headline)
	}
	if len(c.System) != 1 || c.System[0].Name != "heap slope" || c.System[0].Base != 0.5 || c.System[0].New != 40 {
		t.Errorf("system %+v", c.System)
	}
}

// TestMixShiftNotJudged: one endpoint's throughput halves while the
// total's holds (its requests went to another endpoint): a shift in the
// load's mix, not a regression; when the total drops too, it is one.
func TestMixShiftNotJudged(t *testing.T) {
	b, n := synthetic(1, 40, clean, 0), synthetic(2, 40, clean, 0)
	for i := range n.Windows {
		a, bb := n.Windows[i].Endpoints["GET /a"], n.Windows[i].Endpoints["GET /b"]
		bb.Requests += a.Requests / 2
		a.Requests -= a.Requests / 2
		n.Windows[i].Endpoints["GET /a"], n.Windows[i].Endpoints["GET /b"] = a, bb
	}
	c, err := Compare(b, n, Options{Margins: DefaultMargins()})
	if err != nil {
		t.Fatal(err)
	}
	ch := c.Find("GET /a", MetricThroughput)
	if ch.Status != StatusNoChange || !strings.Contains(ch.Why, "mix") || ch.Change > -0.4 || !ch.Significant {
		t.Errorf("mix shift: %s: %s", ch.Status, ch.Why)
	}
	if c.Verdict == VerdictRegression {
		t.Errorf("verdict %s", c.Headline)
	}
	// The whole load served half as much: a regression, everywhere.
	for i := range n.Windows {
		for k, s := range n.Windows[i].Endpoints {
			s.Requests /= 3
			n.Windows[i].Endpoints[k] = s
		}
	}
	c, err = Compare(b, n, Options{Margins: DefaultMargins()})
	if err != nil {
		t.Fatal(err)
	}
	if c.Find(AggregatedName, MetricThroughput).Status != StatusRegression || c.Find("GET /a", MetricThroughput).Status != StatusRegression {
		t.Errorf("total drop: %s", c.Headline)
	}
}

// TestTailNeedsRequests: a p99 over windows of a few requests is each
// window's slowest request: not judged, saying why.
func TestTailNeedsRequests(t *testing.T) {
	b, n := synthetic(1, 30, clean, 0), synthetic(2, 30, map[string]float64{"GET /a": 10, "GET /b": 80}, 0)
	for _, r := range []*Run{b, n} {
		for i := range r.Windows {
			s := r.Windows[i].Endpoints["GET /b"]
			s.Requests = 12
			r.Windows[i].Endpoints["GET /b"] = s
		}
	}
	c, err := Compare(b, n, Options{Margins: DefaultMargins()})
	if err != nil {
		t.Fatal(err)
	}
	for m, want := range map[Metric]Status{MetricP50: StatusRegression, MetricP95: StatusInsufficient, MetricP99: StatusInsufficient} {
		if ch := c.Find("GET /b", m); ch.Status != want {
			t.Errorf("%s: %s (%s), want %s", m, ch.Status, ch.Why, want)
		}
	}
	if ch := c.Find("GET /b", MetricP95); !strings.Contains(ch.Why, "holds 12 requests") {
		t.Errorf("why: %s", ch.Why)
	}
}

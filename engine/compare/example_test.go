package compare_test

import (
	"fmt"
	"time"

	"github.com/soaklab/soak/engine/compare"
)

// run builds a run of 30 one-second windows of GET /items, whose p50 is
// p50 ms (plus a little wobble), with 200 requests a window.
func run(p50 float64) *compare.Run {
	start := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	r := &compare.Run{Label: fmt.Sprintf("p50 %g ms", p50), Start: start,
		Plan: compare.Plan{Model: "closed", Users: 20, Duration: time.Minute}}
	for i := range 30 {
		v := p50 * (1 + 0.05*float64(i%3-1))
		s := compare.Sample{Requests: 200, P50: v, P95: 2 * v, P99: 3 * v}
		r.Windows = append(r.Windows, compare.Window{
			Start: start.Add(time.Duration(i) * time.Second), End: start.Add(time.Duration(i+1) * time.Second),
			Endpoints: map[string]compare.Sample{"GET /items": s, compare.AggregatedName: s}})
	}
	return r
}

func ExampleCompare() {
	c, err := compare.Compare(run(10), run(25), compare.Options{Margins: compare.DefaultMargins()})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Verdict)
	ch := c.Find("GET /items", compare.MetricP95)
	fmt.Printf("%s: %s, %+.0f%%\n", ch.Name(), ch.Status, 100*ch.Change)

	// Plans must match.
	other := run(10)
	other.Plan.Users = 40
	_, err = compare.Compare(run(10), other, compare.Options{Margins: compare.DefaultMargins()})
	fmt.Println(err)
	// Output:
	// regression
	// GET /items p95: regression, +150%
	// compare: the runs' plans differ: users: 20 in BASE, 40 in NEW
}

package seedtest

import (
	"context"
	"testing"
	"time"

	"github.com/soaklab/soak/cmd/soak/internal/demo"
	"github.com/soaklab/soak/docs/scenarios"
	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/scenario"
)

// TestExamplesAgainstDemo runs the smaller example scenarios, as the CLI
// embeds them, against the demo service for a moment each, scaled down,
// and requires every request to succeed. The demo's rate limit stays on:
// open-stages.yaml gives every arrival its own client address.
func TestExamplesAgainstDemo(t *testing.T) {
	ctx := context.Background()
	srv := demoServer(t, demo.Config{})
	for _, tc := range []struct {
		name string
		load engine.Load
		wait engine.Wait
	}{
		{scenarios.Quick, engine.Closed{Users: 2}, engine.Constant{D: 50 * time.Millisecond}},
		{scenarios.OpenStages, engine.Open{Rate: 40}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := scenario.LoadFS(scenarios.FS, tc.name)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := s.Plan(scenario.Options{Host: srv.URL, Load: tc.load, Duration: 1500 * time.Millisecond, Wait: tc.wait})
			if err != nil {
				t.Fatal(err)
			}
			plan.StopTimeout = 5 * time.Second
			res, err := engine.Run(ctx, plan)
			if err != nil {
				t.Fatal(err)
			}
			tot := res.Total
			if len(tot.Stats) == 0 {
				t.Fatal("no requests")
			}
			for _, st := range tot.Stats {
				t.Logf("%s %s: %d requests", st.Method, st.Name, st.Requests)
				if st.Failures() > 0 || st.RateLimited > 0 || st.Successes() == 0 {
					t.Errorf("%s %s: %d ok, %d failures, %d rate limited", st.Method, st.Name, st.Successes(), st.Failures(), st.RateLimited)
				}
			}
			for _, e := range append(tot.Errors, tot.Exceptions...) {
				t.Errorf("%s %s: %s (%d)", e.Method, e.Name, e.Error, e.Count)
			}
		})
	}
}

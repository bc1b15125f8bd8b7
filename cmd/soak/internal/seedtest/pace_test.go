package seedtest

import (
	"context"
	"testing"
	"time"

	"github.com/soaklab/soak/cmd/soak/internal/demo"
	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/scenario"
	"github.com/soaklab/soak/internal/testenv"
)

// TestSeedScenarioAtItsOwnPace runs seed.yaml as written (200 users at 20
// users/s, 1-3 s think time) for a minute against the demo service with
// its rate limit on (100 requests/min per user, per client address when
// anonymous). The scenario gives every user its own account and client
// address, so at this pace no user reaches the limit: every request must
// succeed, with no 429.
func TestSeedScenarioAtItsOwnPace(t *testing.T) {
	testenv.SkipUnlessLong(t)
	srv := demoServer(t, demo.Config{})
	s, err := scenario.Load("../../../../docs/scenarios/seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := s.Plan(scenario.Options{Host: srv.URL, Duration: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	plan.StopTimeout = 10 * time.Second
	res, err := engine.Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	checkRun(t, res)
	if res.PeakUsers != 200 {
		t.Errorf("peak users %d, want 200", res.PeakUsers)
	}
	for _, e := range seedEndpoints {
		st := res.Total.Stat(e[0], e[1])
		if st == nil || st.Successes() == 0 {
			t.Errorf("%s %s: no successful request", e[0], e[1])
			continue
		}
		t.Logf("%-4s %-24s %6d requests, p95 %d ms", e[0], e[1], st.Requests, st.Percentile(95)/1000)
	}
}

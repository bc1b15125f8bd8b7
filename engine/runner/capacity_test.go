package runner

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/analysis/capacity"
)

// limitedHandler serves at most two requests at a time, 20 ms each: its
// throughput tops out at 100 requests/s.
func limitedHandler() http.Handler {
	sem := make(chan struct{}, 2)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case sem <- struct{}{}:
		case <-r.Context().Done():
			return
		}
		time.Sleep(20 * time.Millisecond)
		<-sem
		_, _ = w.Write([]byte("ok"))
	})
}

// TestCapacitySearchesStepByStep runs a real stepped load against a
// handler that caps at 100 requests/s. How fast each step goes depends on
// the machine, so the test asserts what holds on any machine: the steps
// run in order, each is judged by capacity.JudgeStep against the steps
// before it, the search stops at the first broken step, and the result's
// maximum and breaking point are those steps'. Where the search must
// break on given figures is analysis's test (TestJudgeStep).
func TestCapacitySearchesStepByStep(t *testing.T) {
	t.Parallel()
	users := []int{1, 2}
	var reported []capacity.Step
	cr, err := Capacity(context.Background(), CapacityConfig{
		Plan:         soakPlan(limitedHandler(), 1, 0, 0),
		Users:        users,
		StepDuration: 5 * time.Second,
		OnStep:       func(s capacity.Step) { reported = append(reported, s) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if cr.Engine == nil || cr.Model != "users" || cr.Partial {
		t.Fatalf("model %q, partial %v, engine result %v", cr.Model, cr.Partial, cr.Engine != nil)
	}
	n := len(cr.Steps)
	if n == 0 || n > len(users) || len(reported) != n {
		t.Fatalf("%d steps, %d reported", n, len(reported))
	}
	for i, st := range cr.Steps {
		if st.Users != users[i] {
			t.Errorf("step %d has %d users, want %d", i, st.Users, users[i])
		}
		if measured := !st.Start.IsZero(); measured {
			broke, why := capacity.JudgeStep(&st, cr.Steps[:i], analysis.DefaultThresholds(), DefaultMinGain)
			if broke != st.Broke || why != st.Why {
				t.Errorf("step %d judged %v %q, the search recorded %v %q", i, broke, why, st.Broke, st.Why)
			}
		}
		if st.Broke && i != n-1 {
			t.Errorf("the search went on after step %d broke", i)
		}
	}
	last := cr.Steps[n-1]
	switch {
	case last.Broke:
		if !cr.Broke || cr.BreakingPoint != float64(last.Users) || cr.Why != last.Why {
			t.Errorf("broke at %d users (%s), result says %v at %v", last.Users, last.Why, cr.Broke, cr.BreakingPoint)
		}
		wantMax := 0 // the first step broke: none met the targets
		if n > 1 {
			wantMax = users[n-2]
		}
		if cr.MaxUsers != wantMax {
			t.Errorf("max users %d after %d steps, want %d", cr.MaxUsers, n, wantMax)
		}
	default:
		if cr.Broke || n != len(users) || cr.MaxUsers != users[n-1] {
			t.Errorf("no step broke, yet broke %v after %d steps, max users %d", cr.Broke, n, cr.MaxUsers)
		}
	}
	if cr.USL == nil && cr.USLError == "" || len(cr.Bottlenecks) == 0 || cr.Scaling.Horizontal == "" {
		t.Errorf("result %+v", cr)
	}
}

func TestCapacityConfigErrors(t *testing.T) {
	plan := soakPlan(okHandler(), 1, 0, 0)
	cases := []struct {
		cfg  CapacityConfig
		want string
	}{
		{CapacityConfig{Plan: plan}, "CapacityConfig.Users"},
		{CapacityConfig{Plan: plan, Users: []int{1}, Rates: []float64{1}}, "CapacityConfig.Rates"},
		{CapacityConfig{Plan: plan, Users: []int{2, 1}}, "CapacityConfig.Users[1]"},
		{CapacityConfig{Plan: plan, Rates: []float64{-1}}, "CapacityConfig.Rates[0]"},
		{CapacityConfig{Plan: plan, Users: []int{1}, StepDuration: time.Second}, "CapacityConfig.StepDuration"},
		{CapacityConfig{Plan: plan, Users: []int{1}, Settle: time.Hour}, "CapacityConfig.Settle"},
		{CapacityConfig{Plan: plan, Users: []int{1}, MinGain: 2}, "CapacityConfig.MinGain"},
	}
	for _, c := range cases {
		_, err := Capacity(context.Background(), c.cfg)
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v", c.want, err)
		}
	}
	if got := StepUsers(10, 10, 45); len(got) != 4 || got[3] != 40 {
		t.Errorf("StepUsers = %v", got)
	}
	if got := StepUsers(1, 0, 5); got != nil {
		t.Errorf("StepUsers with step 0 = %v", got)
	}
}

func TestCapacityCancelled(t *testing.T) {
	t.Parallel()
	// Cancelled once the first step has load (its 10th request), not
	// after a fixed time a loaded machine may spend setting up.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cr, err := Capacity(ctx, CapacityConfig{Plan: soakPlan(afterRequests(10, cancel), 1, 10*time.Millisecond, 0),
		Rates: []float64{20, 40}, StepDuration: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !cr.Partial || cr.Model != "rate" || cr.Engine == nil {
		t.Errorf("partial %v, model %s", cr.Partial, cr.Model)
	}
}

// A graceful stop (Plan.Stop, the CLI's first Ctrl-C) before the last
// step leaves the search partial, as a cancellation does.
func TestCapacityStopped(t *testing.T) {
	t.Parallel()
	stop := make(chan struct{})
	plan := soakPlan(afterRequests(10, func() { close(stop) }), 1, 10*time.Millisecond, 0)
	plan.Stop = stop
	cr, err := Capacity(context.Background(), CapacityConfig{Plan: plan,
		Rates: []float64{20, 40}, StepDuration: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if cr.Engine.Ending() != engine.EndStopped || !cr.Partial || cr.Broke {
		t.Errorf("ending %q, partial %v, broke %v; want stopped and partial", cr.Engine.Ending(), cr.Partial, cr.Broke)
	}
}

// afterRequests answers ok and calls f once, on the n-th request.
func afterRequests(n int64, f func()) http.Handler {
	var seen atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if seen.Add(1) == n {
			f()
		}
		_, _ = w.Write([]byte("ok"))
	})
}

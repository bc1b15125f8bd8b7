package analysis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
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

func TestCapacityFindsTheBreakingPoint(t *testing.T) {
	var steps []CapacityStep
	cr, err := Capacity(context.Background(), CapacityConfig{
		Plan:         soakPlan(limitedHandler(), 1, 0, 0),
		Users:        []int{1, 2, 6, 12},
		StepDuration: 5 * time.Second,
		OnStep:       func(s CapacityStep) { steps = append(steps, s) },
	})
	if err != nil {
		t.Fatal(err)
	}
	// The handler caps at 100 requests/s: throughput stops rising at 6
	// users, or (on a machine too busy to reach the cap with 2) at 12.
	if !cr.Broke || (cr.BreakingPoint != 6 && cr.BreakingPoint != 12) || !strings.Contains(cr.Why, "throughput stopped rising") {
		t.Fatalf("broke %v at %v: %s; steps %+v", cr.Broke, cr.BreakingPoint, cr.Why, cr.Steps)
	}
	n := len(cr.Steps)
	if cr.Steps[n-1].Users != int(cr.BreakingPoint) || len(steps) != n || cr.MaxUsers != cr.Steps[n-2].Users {
		t.Errorf("%d steps (%d reported), max users %d", n, len(steps), cr.MaxUsers)
	}
	// One user: about 50 requests/s; two: about 100, the handler's cap.
	if cr.Steps[0].Throughput < 20 || cr.Steps[1].Throughput < 1.5*cr.Steps[0].Throughput {
		t.Errorf("throughputs %.1f, %.1f", cr.Steps[0].Throughput, cr.Steps[1].Throughput)
	}
	for _, st := range cr.Steps[:n-1] {
		if st.Throughput > cr.MaxRPS {
			t.Errorf("max RPS %.1f below a passing step's %.1f", cr.MaxRPS, st.Throughput)
		}
	}
	if cr.USL == nil || cr.USL.N != n || cr.USL.Sigma <= 0 {
		t.Errorf("USL %+v (%s)", cr.USL, cr.USLError)
	}
	if cr.Engine == nil || cr.Partial || len(cr.Bottlenecks) == 0 || cr.Scaling.Horizontal == "" {
		t.Errorf("result %+v", cr)
	}
	var b bytes.Buffer
	if err := cr.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	bp := fmt.Sprint(cr.BreakingPoint)
	for _, want := range []string{"## Steps", "| " + bp + " |", "❌ throughput stopped rising", fmt.Sprintf("**Max Concurrent Users**: %d users met every target", cr.MaxUsers),
		"**Breaking Point**: " + bp + " users", "**Scalability (USL)**: sigma", "### Scaling Recommendations"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in:\n%s", want, b.String())
		}
	}
	// The sustained report takes its Capacity Planning from the search.
	r, err := Analyze(cr.Engine, nil, DefaultThresholds())
	if err != nil {
		t.Fatal(err)
	}
	r.Capacity = cr
	if md := markdownOf(t, r); !strings.Contains(md, "- **Breaking Point**: "+bp+" users: throughput stopped rising") {
		t.Errorf("sustained report without the capacity figures:\n%s", md)
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
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	cr, err := Capacity(ctx, CapacityConfig{Plan: soakPlan(okHandler(), 1, 10*time.Millisecond, 0),
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
	stop := make(chan struct{})
	plan := soakPlan(okHandler(), 1, 10*time.Millisecond, 0)
	plan.Stop = stop
	timer := time.AfterFunc(2*time.Second, func() { close(stop) })
	defer timer.Stop()
	cr, err := Capacity(context.Background(), CapacityConfig{Plan: plan,
		Rates: []float64{20, 40}, StepDuration: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if cr.Engine.Ending() != engine.EndStopped || !cr.Partial || cr.Broke {
		t.Errorf("ending %q, partial %v, broke %v; want stopped and partial", cr.Engine.Ending(), cr.Partial, cr.Broke)
	}
}

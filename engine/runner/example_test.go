package runner_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/report"
	"github.com/soaklab/soak/engine/runner"
	"github.com/soaklab/soak/middleware"
	"github.com/soaklab/soak/probe"
)

// checkoutService is a service with the probe and its middleware wired,
// as docs/probe.md shows.
func checkoutService() (http.Handler, *probe.Probe) {
	p := probe.New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /checkout", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"ok":true}`))
	})
	return middleware.HTTP(p)(mux), p
}

// soakCheckout is the test of docs/testing.md: soak the handler in
// process for d, poll its probe, and fail t with the findings.
func soakCheckout(t analysis.TestingT, d time.Duration) *analysis.Result {
	handler, p := checkoutService()
	plan := engine.Plan{
		Handler:  handler,
		Duration: d,
		Load:     engine.Closed{Users: 10, SpawnRate: 10},
		Classes: []engine.Class{{Name: "Shopper", Weight: 1, Wait: engine.Constant{D: 10 * time.Millisecond},
			Tasks: []engine.Task{{Weight: 1, Do: func(ctx context.Context, u *engine.User) error {
				_, err := u.Get(ctx, "/checkout", "/checkout")
				return err
			}}}}},
	}
	res, err := runner.Soak(context.Background(), runner.Config{
		Plan:         plan,
		Sources:      []runner.Source{runner.InProcess(p)},
		PollInterval: 250 * time.Millisecond,
	})
	if err != nil {
		t.Errorf("soak: %v", err)
		return nil
	}
	analysis.Verify(t, res) // fails t with each leak, exhaustion or rising error rate
	return res
}

// TestSoakCheckoutDoesNotLeak soaks the checkout service and checks that
// the goroutine-leak detector read the probe. A 3 s soak has a 1.7 s
// steady state, about 7 polls at 250 ms where the detector needs
// stats.MinPoints (5); a loaded machine delays polls and captures, and
// the detector then says "unknown" for want of samples. So a soak that
// ends unmeasured runs again, twice as long, up to 12 s: the test waits for
// the samples it asserts on instead of assuming a fixed time yields them.
// A detected leak fails at once (in soakCheckout), whatever the length.
func TestSoakCheckoutDoesNotLeak(t *testing.T) {
	const longest = 12 * time.Second
	for d := 3 * time.Second; ; d *= 2 {
		res := soakCheckout(t, d)
		if res == nil || t.Failed() {
			return
		}
		f := res.Find(analysis.DetectorGoroutineLeak, "")
		if f.Verdict != analysis.VerdictUnknown {
			return
		}
		if d >= longest {
			t.Fatalf("the probe was not read in a %v soak: %s", d, f.String())
		}
		t.Logf("%v soak: %s; soaking again, longer", d, f.String())
	}
}

// ExampleSoak_inATest is docs/testing.md's test, compiled: in a _test.go
// file,
//
//	func TestCheckoutDoesNotLeak(t *testing.T) {
//		soakCheckout(t, 30*time.Second)
//	}
func ExampleSoak_inATest() {
	var t *testing.T // the test's
	if t != nil {
		soakCheckout(t, 30*time.Second)
	}
}

// ExampleSoak soaks a service's replicas through their probes and writes
// the seed's report.
func ExampleSoak() {
	c, err := probe.NewClient("http://127.0.0.1:6060/debug/soak", os.Getenv("SOAK_PROBE_TOKEN"))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := runner.Soak(context.Background(), runner.Config{
		Plan:    engine.Plan{Host: "http://127.0.0.1:8000" /* classes, load, duration */},
		Sources: []runner.Source{runner.Remote("replica-1", c)},
		Dir:     "soak-results", // profiles are saved here, beside the report
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = report.Markdown(report.Run{Analysis: res})(os.Stdout)
	os.Exit(res.ExitCode())
}

func ExampleStepUsers() {
	fmt.Println(runner.StepUsers(10, 10, 45))
	// Output: [10 20 30 40]
}

// A Config is checked before anything runs (the plan first); an error
// names its field.
func ExampleSoak_badConfig() {
	plan := engine.Plan{Host: "http://127.0.0.1:8000", Duration: time.Minute, Load: engine.Closed{Users: 10},
		Classes: []engine.Class{{Name: "Reader", Weight: 1, Tasks: []engine.Task{{Weight: 1,
			Do: func(ctx context.Context, u *engine.User) error { _, err := u.Get(ctx, "/", "/"); return err }}}}}}
	_, err := runner.Soak(context.Background(), runner.Config{Plan: plan, PollInterval: time.Millisecond})
	fmt.Println(err)
	// Output: runner: bad config: Config.PollInterval: 1ms is outside 100ms..1m0s
}

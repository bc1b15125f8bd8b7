package analysis_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/middleware"
	"github.com/soaklab/soak/probe"
)

func ExampleTheilSen() {
	// Live heap after each GC (MB) over ten minutes, with one GC that
	// ran late (the 40 MB outlier): Theil-Sen ignores it.
	minutes := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	heapMB := []float64{100, 102, 104, 106, 140, 110, 112, 114, 116, 118}
	tr := analysis.TheilSen(minutes, heapMB)
	fmt.Printf("%.1f MB/min (95%% CI %.1f to %.1f), rising: %v\n", tr.Slope, tr.Lo, tr.Hi, tr.Rising())
	// Output: 2.0 MB/min (95% CI 2.0 to 2.0), rising: true
}

func ExampleFitUSL() {
	users := []float64{1, 5, 10, 20, 40}
	rps := []float64{100, 455, 769, 1111, 1194}
	u, err := analysis.FitUSL(users, rps)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("sigma %.3f, kappa %.4f, peak %.0f RPS at %.0f users, R² %.3f\n", u.Sigma, u.Kappa, u.PeakX, u.PeakN, u.R2)
	// Output: sigma 0.025, kappa 0.0009, peak 1211 RPS at 33 users, R² 1.000
}

func ExampleParseRatePolicy() {
	p, err := analysis.ParseRatePolicy("100 req/min per user (else per ip), burst 100")
	fmt.Println(p.Limit, p.Period, p.Burst, p.Per, err)
	// Output: 100 1m0s 100 user <nil>
}

func ExampleDefaultThresholds() {
	th := analysis.DefaultThresholds()
	fmt.Println(th.P95, th.ErrorRate, th.Throughput, th.Pool, th.CacheHitRate)
	// Output: 500ms 0.005 100 0.8 0.7
}

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
	res, err := analysis.Soak(context.Background(), analysis.Config{
		Plan:         plan,
		Sources:      []analysis.Source{analysis.InProcess(p)},
		PollInterval: 250 * time.Millisecond,
	})
	if err != nil {
		t.Errorf("soak: %v", err)
		return nil
	}
	analysis.Verify(t, res) // fails t with each leak, exhaustion or rising error rate
	return res
}

func TestSoakCheckoutDoesNotLeak(t *testing.T) {
	res := soakCheckout(t, 5*time.Second)
	if res != nil && res.Find(analysis.DetectorGoroutineLeak, "").Verdict == analysis.VerdictUnknown {
		t.Errorf("the probe was not read: %s", res.Find(analysis.DetectorGoroutineLeak, "").String())
	}
}

// ExampleVerify is docs/testing.md's test, compiled: in a _test.go file,
//
//	func TestCheckoutDoesNotLeak(t *testing.T) {
//		soakCheckout(t, 30*time.Second)
//	}
func ExampleVerify() {
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
	res, err := analysis.Soak(context.Background(), analysis.Config{
		Plan:    engine.Plan{Host: "http://127.0.0.1:8000" /* classes, load, duration */},
		Sources: []analysis.Source{analysis.Remote("replica-1", c)},
		Dir:     "soak-results", // profiles are saved here, beside the report
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = analysis.NewReport(res).WriteMarkdown(os.Stdout)
	os.Exit(res.ExitCode())
}

// ExampleReadCapture rebuilds a run's analysis from its results directory,
// as `soak report DIR` does: the engine's intervals, the probe capture
// that a RecordWriter appended, and the profiles saved beside them.
func ExampleReadCapture() {
	dir := "soak-results/20261128T051500Z"
	rebuild := func() (*analysis.Result, error) {
		info, ivs := engine.RunInfo{}, []*engine.Interval(nil) // read from dir with engine.ReadIntervals
		f, err := os.Open(dir + "/probe.jsonl")
		if err != nil {
			return nil, err
		}
		defer f.Close()
		c, err := capture.ReadCapture(f, "probe.jsonl") // a torn last line still returns what came before
		if err != nil {
			return nil, err
		}
		if err := c.LoadProfiles(dir); err != nil {
			return nil, err // or go on: the heap diff then says the profiles are missing
		}
		return analysis.Analyze(engine.NewResult(info, ivs, 0), c, analysis.DefaultThresholds())
	}
	if res, err := rebuild(); err == nil {
		_ = analysis.NewReport(res).WriteMarkdown(os.Stdout)
	}
}

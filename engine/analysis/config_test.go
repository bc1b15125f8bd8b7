package analysis

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/synth"
	"github.com/soaklab/soak/probe"
)

func okHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
}

func TestConfigErrorsNameTheField(t *testing.T) {
	plan := soakPlan(okHandler(), 1, time.Millisecond, time.Second)
	p := probe.New()
	bad := Thresholds{ErrorRate: 5}
	cases := []struct {
		cfg  Config
		want string
	}{
		{Config{Plan: plan, PollInterval: time.Millisecond}, "Config.PollInterval"},
		{Config{Plan: plan, PollInterval: 2 * time.Hour}, "Config.PollInterval"},
		{Config{Plan: plan, Baseline: -time.Second}, "Config.Baseline"},
		{Config{Plan: plan, Drain: time.Hour}, "Config.Drain"},
		{Config{Plan: plan, PollTimeout: -1}, "Config.PollTimeout"},
		{Config{Plan: plan, Sources: []Source{nil}}, "Config.Sources[0]"},
		{Config{Plan: plan, Sources: []Source{InProcess(p), InProcess(p)}}, "Config.Sources[1]"},
		{Config{Plan: plan, Thresholds: &bad}, "Thresholds.ErrorRate"},
	}
	for _, c := range cases {
		_, err := Soak(context.Background(), c.cfg)
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v", c.want, err)
		}
	}
	if _, err := Soak(context.Background(), Config{}); !errors.Is(err, engine.ErrPlan) {
		t.Errorf("empty plan: %v", err)
	}
}

func TestThresholdsValidate(t *testing.T) {
	if err := DefaultThresholds().Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (Thresholds{}).Validate(); err != nil {
		t.Errorf("zero thresholds (no target): %v", err)
	}
	for _, th := range []Thresholds{{P95: -1}, {Pool: 1.5}, {CPU: -0.1}, {Throughput: -1}, {Throughput: 2e9}, {Memory: math.NaN()}} {
		var te *ThresholdError
		if err := th.Validate(); err == nil || !strings.Contains(err.Error(), "analysis: Thresholds.") || !errors.As(err, &te) {
			t.Errorf("%+v: %v", th, err)
		}
	}
	// Every field out of range is reported, in field order.
	err := Thresholds{P50: -1, CPU: 2}.Validate()
	if err == nil || err.Error() != "analysis: Thresholds.P50: -1ns is negative (0 turns the target off)\n"+
		"analysis: Thresholds.CPU: 2 is not a fraction in [0, 1] (0.005 is 0.5%)" {
		t.Errorf("two bad fields: %v", err)
	}
}

func TestRedactCommand(t *testing.T) {
	got := redactCommand("soak run --probe-token s3cret --probe-token=abc --database-url postgres://u:pw@127.0.0.1/db -H Authorization: Bearer xyz")
	for _, secret := range []string{"s3cret", "abc", "pw@", "xyz"} {
		if strings.Contains(got, secret) {
			t.Errorf("%q left in %q", secret, got)
		}
	}
	if !strings.Contains(got, "postgres://u:[redacted]@127.0.0.1/db") {
		t.Errorf("URL mangled: %q", got)
	}
}

// fakeT records what Verify reports.
type fakeT struct{ errs []string }

func (f *fakeT) Helper() {}
func (f *fakeT) Errorf(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func TestVerify(t *testing.T) {
	s := synth.New()
	s.AddSamples(poolSeries(100, 250))
	s.AddIntervals(slowWhile(100, 250))
	r := analyze(s)
	var ft fakeT
	Verify(&ft, r)
	if len(ft.errs) != 1 || !strings.Contains(ft.errs[0], "pool-exhaustion [svc]: detected") || !strings.Contains(ft.errs[0], "next:") {
		t.Fatalf("Verify reported %q", ft.errs)
	}
	ft = fakeT{}
	Verify(&ft, r, IgnoreDetector(DetectorPoolExhaustion))
	if len(ft.errs) != 0 {
		t.Errorf("ignored detector reported: %q", ft.errs)
	}
	ft = fakeT{}
	Verify(&ft, r, IgnoreDetector(DetectorPoolExhaustion), RequireTargets())
	if len(ft.errs) == 0 || !strings.Contains(strings.Join(ft.errs, "\n"), "target missed") {
		t.Errorf("missed targets not reported: %q", ft.errs)
	}
	if r.ExitCode() != ExitUnstable || r.Err() == nil {
		t.Errorf("exit %d, err %v", r.ExitCode(), r.Err())
	}
}

func TestExitCodes(t *testing.T) {
	ok := synth.New()
	ok.AddSamples(gcHeap(func(float64) float64 { return 5e6 }, 0, 1))
	ok.AddIntervals(func(float64) (int64, int64, int64, int64) { return 150, 0, 0, 2000 })
	if r := analyze(ok); r.ExitCode() != ExitOK || r.Err() != nil {
		t.Errorf("clean run: %d, %v", r.ExitCode(), r.Err())
	}
	slow := synth.New()
	slow.AddSamples(gcHeap(func(float64) float64 { return 5e6 }, 0, 1))
	slow.AddIntervals(func(float64) (int64, int64, int64, int64) { return 100, 0, 0, 900_000 })
	if r := analyze(slow); r.ExitCode() != ExitTargetMissed || !strings.Contains(r.Err().Error(), "P95 Latency") {
		t.Errorf("slow run: %d, %v", r.ExitCode(), r.Err())
	}
}

// failingClient is a remote probe that never answers.
type failingClient struct{}

func (failingClient) Snapshot(context.Context) (*probe.Snapshot, error) {
	return nil, errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
}
func (failingClient) LeaksMinAge(context.Context, time.Duration) (*probe.LeakReport, error) {
	return nil, errors.New("connection refused")
}
func (failingClient) Profile(context.Context, string, int) ([]byte, error) {
	return nil, errors.New("connection refused")
}

func TestUnreachableProbeDoesNotStopTheRun(t *testing.T) {
	cfg := Config{
		Plan:         soakPlan(okHandler(), 2, 5*time.Millisecond, 2*time.Second),
		Sources:      []Source{Remote("http://127.0.0.1:1", failingClient{})},
		PollInterval: 200 * time.Millisecond, Baseline: 200 * time.Millisecond, Drain: time.Second,
	}
	r, err := Soak(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r.Engine.Total.Total().Requests == 0 {
		t.Fatal("no load ran")
	}
	if len(r.Notes) == 0 || !strings.Contains(r.Notes[0], "Probe http://127.0.0.1:1 was unreachable") ||
		!strings.Contains(r.Notes[0], "connection refused") {
		t.Errorf("notes %q", r.Notes)
	}
	for _, row := range r.System {
		if row.Status != StatusUnknown || !strings.Contains(row.Why, "probe unreachable") {
			t.Errorf("row %+v", row)
		}
	}
	if f := r.Find(DetectorMemoryLeak, ""); f.Verdict != VerdictUnknown {
		t.Errorf("memory: %s", f.String())
	}
}

func TestSoakCancelledYieldsPartialResult(t *testing.T) {
	s := newTestService(t)
	cfg := quickConfig(s, time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	var samples int
	cfg.OnSample = func(*capture.Sample) {
		samples++
		if samples == 12 { // in the warm-up or steady state
			cancel()
		}
	}
	r, err := Soak(ctx, cfg)
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	if !r.Partial || r.Engine.End.Sub(r.Engine.Start) > 30*time.Second {
		t.Errorf("partial %v, ran %v", r.Partial, r.Engine.End.Sub(r.Engine.Start))
	}
	if _, ok := r.Capture.Timing.Span(capture.PhaseDrain); !ok {
		t.Errorf("no drain after the cancellation: %+v", r.Capture.Timing)
	}
	if !strings.Contains(strings.Join(r.Notes, " "), "interrupted") {
		t.Errorf("notes %q", r.Notes)
	}
}

// A graceful stop (Plan.Stop, soak's first Ctrl-C) ends the load early
// without cancelling: the result is partial all the same, with its own note.
func TestSoakStoppedYieldsPartialResult(t *testing.T) {
	s := newTestService(t)
	cfg := quickConfig(s, time.Minute)
	stop := make(chan struct{})
	cfg.Plan.Stop = stop
	var samples int
	cfg.OnSample = func(*capture.Sample) {
		samples++
		if samples == 12 { // in the warm-up or steady state
			close(stop)
		}
	}
	r, err := Soak(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r.Engine.Ending() != engine.EndStopped {
		t.Fatalf("ending %q, want %q", r.Engine.Ending(), engine.EndStopped)
	}
	if !r.Partial || r.Engine.End.Sub(r.Engine.Start) > 30*time.Second {
		t.Errorf("partial %v, ran %v", r.Partial, r.Engine.End.Sub(r.Engine.Start))
	}
	if !strings.Contains(strings.Join(r.Notes, " "), "stopped early") {
		t.Errorf("notes %q", r.Notes)
	}
	if md := markdownOf(t, r); !strings.Contains(md, "(partial: interrupted)") {
		t.Errorf("report not marked partial")
	}
}

func TestSoakCancelledInBaseline(t *testing.T) {
	s := newTestService(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := Soak(ctx, quickConfig(s, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Partial || len(r.Engine.Intervals) != 0 {
		t.Errorf("partial %v, %d intervals", r.Partial, len(r.Engine.Intervals))
	}
	if md := markdownOf(t, r); !strings.Contains(md, "(partial: interrupted)") {
		t.Errorf("report not marked partial")
	}
}

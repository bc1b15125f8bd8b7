package runner

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/internal/redact"
	"github.com/soaklab/soak/probe"
)

func okHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
}

func TestConfigErrorsNameTheField(t *testing.T) {
	plan := soakPlan(okHandler(), 1, time.Millisecond, time.Second)
	p := probe.New()
	bad := analysis.Thresholds{ErrorRate: 5}
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

func TestRedactCommandAndErrors(t *testing.T) {
	got := redact.Command("soak run --probe-token s3cret --probe-token=abc --database-url postgres://u:pw@127.0.0.1/db -H Authorization: Bearer xyz")
	for _, secret := range []string{"s3cret", "abc", "pw@", "xyz"} {
		if strings.Contains(got, secret) {
			t.Errorf("%q left in %q", secret, got)
		}
	}
	if !strings.Contains(got, "postgres://u:REDACTED@127.0.0.1/db") {
		t.Errorf("URL mangled: %q", got)
	}
	// A probe's 401 answer names the token without giving one: its hint
	// stays whole, and a labelled secret is still removed.
	hint := "probe: remote error: GET http://127.0.0.1:6061/snapshot: 401 Unauthorized: unauthorized: send the probe's token in the Authorization header"
	if got := cleanError(errors.New(hint)); got != hint {
		t.Errorf("the hint was mangled:\n got %q\nwant %q", got, hint)
	}
	if got := redact.Command("auth failed, password: hunter2 (token=abc)"); strings.Contains(got, "hunter2") || strings.Contains(got, "abc") {
		t.Errorf("labelled secrets kept: %q", got)
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
	t.Parallel()
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
	if notes := strings.Join(r.Notes, "\n"); !strings.Contains(notes, "Probe http://127.0.0.1:1 was unreachable") ||
		!strings.Contains(notes, "connection refused") {
		t.Errorf("notes %q", r.Notes)
	}
	if r.ExitCode() != analysis.ExitInconclusive {
		t.Errorf("a probe never read: exit %d, want %d (%s)", r.ExitCode(), analysis.ExitInconclusive, r.Headline())
	}
	for _, row := range r.System {
		if row.Status != analysis.StatusUnknown || !strings.Contains(row.Why, "probe unreachable") {
			t.Errorf("row %+v", row)
		}
	}
	if f := r.Find(analysis.DetectorMemoryLeak, ""); f.Verdict != analysis.VerdictUnknown {
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
	if !r.Partial || r.Engine.Ending() != engine.EndCanceled {
		t.Errorf("partial %v, ending %q after a cancellation", r.Partial, r.Engine.Ending())
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
	if !r.Partial {
		t.Error("a stopped run is not partial")
	}
	if !strings.Contains(strings.Join(r.Notes, " "), "stopped early") {
		t.Errorf("notes %q", r.Notes)
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
}

package report

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/runner"
	"github.com/soaklab/soak/middleware"
	"github.com/soaklab/soak/probe"
)

// A real analysed soak — engine, in-process probe and middleware, polled by
// runner.Soak — renders: the server-side charts the probe can feed
// (heap, goroutines, rate limiting) are drawn on the run's timeline with
// its phases, and the JSON document carries the analysis and reads back.
func TestOutputsOfARealAnalysedSoak(t *testing.T) {
	p := probe.New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/stories/{slug}", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"ok":true}`)) })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := runner.Soak(ctx, runner.Config{
		Plan: engine.Plan{Handler: middleware.HTTP(p)(mux), Duration: 2 * time.Second, Load: engine.Closed{Users: 2},
			Classes: []engine.Class{{Name: "Reader", Weight: 1, Wait: engine.Constant{D: 5 * time.Millisecond},
				Tasks: []engine.Task{{Weight: 1, Do: func(ctx context.Context, u *engine.User) error {
					_, err := u.Get(ctx, "/api/stories/soak", "/api/stories/[slug]")
					return err
				}}}}}},
		Sources:      []runner.Source{runner.InProcess(p)},
		PollInterval: 100 * time.Millisecond, Baseline: 300 * time.Millisecond, Settle: -1, Drain: 500 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	run := Run{Analysis: res}
	out := renderHTML(t, run)
	for _, want := range []string{`id="chart-heap"`, `id="chart-goroutines"`, `id="chart-rate-limited"`,
		">baseline</text>", ">drain</text>", `<section id="findings">`, "/api/stories/[slug]"} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(out, "No probe sample") {
		t.Error("the report says there was no probe sample")
	}
	d := roundTrip(t, run)
	if d.Analysis == nil || len(d.Analysis.Findings) == 0 || len(d.Analysis.Phases) == 0 {
		t.Errorf("analysis read back: %+v", d.Analysis)
	}
}

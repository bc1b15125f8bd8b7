package runner

import (
	"bytes"
	"context"
	"net/http/httptest"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/probe"
)

// These are the end-to-end soaks of the package: a real engine run
// against a service in this process, its probe polled, profiles taken
// and the result analysed. The detectors' decisions are tested on
// synthetic captures in engine/analysis; these prove the wiring, and that
// real profiles name the planted faults.

// explain is a finding with its evidence, for a test failure.
func explain(f *analysis.Finding) string {
	if f == nil {
		return "no finding"
	}
	return f.String() + "\n    " + strings.Join(f.Evidence, "\n    ")
}

func TestSoakHeapLeak(t *testing.T) {
	s := newTestService(t)
	s.heapLeak = true
	res, err := Soak(context.Background(), quickConfig(s, 8*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	f := res.Find(analysis.DetectorMemoryLeak, "")
	if f == nil || f.Verdict != analysis.VerdictDetected {
		t.Fatalf("memory finding: %s", explain(f))
	}
	if len(f.Suspects) == 0 || !strings.Contains(f.Suspects[0].Function, "retainPage") {
		t.Fatalf("suspects: %+v", f.Suspects)
	}
	// Heap profiles were taken during the steady state, not only at its
	// ends, for the per-site trend; a bounded number.
	if n := len(res.Capture.SteadyHeaps(f.Source)); n < 5 || n > capture.MaxSteadyHeaps+2 {
		t.Errorf("%d steady-state heap profiles of %q", n, f.Source)
	}
}

func TestSoakCleanService(t *testing.T) {
	s := newTestService(t)
	s.lazyWorkers, s.boundedCache = true, true
	var rec bytes.Buffer
	cfg := quickConfig(s, 8*time.Second)
	cfg.Record = capture.NewRecordWriter(&rec)
	res, err := Soak(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkPhaseStarts(t, rec.String())
	for _, f := range res.Findings {
		if f.Verdict == analysis.VerdictDetected || f.Verdict == analysis.VerdictWarning {
			t.Errorf("clean service: %s", explain(&f))
		}
	}
	if res.ExitCode() != analysis.ExitOK {
		t.Errorf("exit code %d: %v", res.ExitCode(), res.Err())
	}
	// A lazily started worker pool and a bounded cache are no early
	// warning either.
	for _, w := range res.Capture.Warnings {
		t.Errorf("clean service warned: %s", w.String())
	}
}

// A goroutine leak is warned while the run goes, located by a goroutine
// profile, and with FailFast the load ends there: the result is
// unhealthy, the warning recorded as the one that ended the run.
func TestSoakFailFastOnGoroutineLeak(t *testing.T) {
	s := newTestService(t)
	s.goroutineLeak = true
	var rec bytes.Buffer
	cfg := quickConfig(s, time.Minute)
	cfg.Record = capture.NewRecordWriter(&rec)
	cfg.FailFast = true
	var live []capture.Warning
	cfg.OnWarning = func(w capture.Warning) { live = append(live, w) } // the polling goroutine only
	res, err := Soak(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(live) == 0 || live[0].Kind != capture.WarnGoroutines || !live[0].EndedRun ||
		!strings.Contains(live[0].Where, "waitForRefresh") {
		t.Fatalf("live warnings %+v", live)
	}
	if !res.Partial || res.Engine.End.Sub(res.Engine.Start) >= time.Minute {
		t.Errorf("the load was not ended early: partial %v, %v", res.Partial, res.Engine.End.Sub(res.Engine.Start))
	}
	if ff := res.FailFast(); ff == nil || ff.Key() != live[0].Key() || res.ExitCode() != analysis.ExitUnstable ||
		!strings.Contains(res.Headline(), "ended early by fail-fast at ") {
		t.Errorf("fail-fast %+v, exit %d, headline %q", ff, res.ExitCode(), res.Headline())
	}
	c, err := capture.ReadCapture(strings.NewReader(rec.String()), "rec")
	if err != nil {
		t.Fatal(err)
	}
	if ff := c.FailFast(); ff == nil || ff.Where != live[0].Where {
		t.Errorf("recorded warnings %+v", c.Warnings)
	}
}

// TestSoakRemoteProbe reads the service's probe over HTTP, as `soak run
// --probe URL` does, through the probe's own handler and client, and
// finds the planted goroutine leak from the remote goroutine profiles.
func TestSoakRemoteProbe(t *testing.T) {
	s := newTestService(t)
	s.goroutineLeak = true
	admin := httptest.NewServer(s.p.Handler())
	t.Cleanup(admin.Close)
	c, err := probe.NewClient(admin.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg := quickConfig(s, 8*time.Second)
	cfg.Sources = []Source{Remote(admin.URL, c)}
	res, err := Soak(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	f := res.Find(analysis.DetectorGoroutineLeak, admin.URL)
	if f == nil || f.Verdict != analysis.VerdictDetected || len(f.Suspects) == 0 || !strings.Contains(f.Suspects[0].Function, "waitForRefresh") {
		t.Fatalf("remote goroutine finding: %s", explain(f))
	}
	if res.ExitCode() != analysis.ExitUnstable {
		t.Errorf("exit code %d, want %d", res.ExitCode(), analysis.ExitUnstable)
	}
	if res.Capture.Config.InProcess != nil {
		t.Errorf("a remote probe counted as in-process: %v", res.Capture.Config.InProcess)
	}
}

// TestSoakGoroutineLeakProfile runs only in a binary built with
// GOEXPERIMENT=goroutineleakprofile (Go 1.26):
//
//	GOEXPERIMENT=goroutineleakprofile go test -run GoroutineLeakProfile ./engine/runner
func TestSoakGoroutineLeakProfile(t *testing.T) {
	if pprof.Lookup(probe.ProfileGoroutineLeak) == nil {
		t.Skip("the goroutineleak profile is not in this binary: build with GOEXPERIMENT=goroutineleakprofile")
	}
	s := newTestService(t)
	s.blockedLeak = true
	res, err := Soak(context.Background(), quickConfig(s, 6*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	f := res.Find(analysis.DetectorGoroutineLeak, "")
	if f.Verdict != analysis.VerdictDetected || f.Goroutines.LeakProfile != "available" || f.Goroutines.LeakProfileCount == 0 ||
		!strings.HasSuffix(f.Suspects[0].Function, ".blockForever") || f.Suspects[0].Detail != "blocked forever (goroutineleak profile)" {
		t.Fatalf("%s", explain(f))
	}
}

// checkPhaseStarts: the phases are written as they start, so a record cut
// short (kill -9) at the load's end still has the warm-up and the steady
// state it reached.
func checkPhaseStarts(t *testing.T, rec string) {
	t.Helper()
	lines := strings.SplitAfter(rec, "\n")
	cut := -1
	for i, l := range lines {
		if strings.Contains(l, `"type":"phase","span":{"phase":"warmup"`) { // written as the load ends
			cut = i
			break
		}
	}
	if cut < 0 {
		t.Fatalf("no warm-up span in the record:\n%.2000s", rec)
	}
	c, err := capture.ReadCapture(strings.NewReader(strings.Join(lines[:cut], "")), "probe.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if steady, ok := c.Timing.Span(capture.PhaseSteady); !ok || steady.Duration() <= 0 || !c.Cut {
		t.Fatalf("the record cut at the load's end has phases %+v (cut %v)", c.Timing, c.Cut)
	}
}

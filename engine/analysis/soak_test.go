package analysis

import (
	"bytes"
	"context"
	"net/http/httptest"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/probe"
)

func TestSoakHeapLeak(t *testing.T) {
	s := newTestService(t)
	s.heapLeak = true
	res, err := Soak(context.Background(), quickConfig(s, 8*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := NewReport(res).WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	t.Log(b.String())
	f := res.Find(DetectorMemoryLeak, "")
	if f == nil || f.Verdict != VerdictDetected {
		t.Fatalf("memory finding: %+v", f)
	}
	if len(f.Suspects) == 0 || !strings.Contains(f.Suspects[0].Function, "retainPage") {
		t.Fatalf("suspects: %+v", f.Suspects)
	}
}

func TestSoakGoroutineLeak(t *testing.T) {
	s := newTestService(t)
	s.goroutineLeak = true
	res, err := Soak(context.Background(), quickConfig(s, 8*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	f := res.Find(DetectorGoroutineLeak, "")
	if f == nil || f.Verdict != VerdictDetected {
		t.Fatalf("goroutine finding: %s", describeFinding(f))
	}
	if len(f.Suspects) == 0 || !strings.Contains(f.Suspects[0].Function, "waitForRefresh") {
		t.Fatalf("suspects: %s", describeFinding(f))
	}
	if res.ExitCode() != ExitUnstable {
		t.Errorf("exit code %d, want %d", res.ExitCode(), ExitUnstable)
	}
}

func TestSoakCleanService(t *testing.T) {
	s := newTestService(t)
	s.lazyWorkers, s.boundedCache = true, true
	res, err := Soak(context.Background(), quickConfig(s, 8*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		if f.Verdict == VerdictDetected || f.Verdict == VerdictWarning {
			t.Errorf("clean service: %s", describeFinding(&f))
		}
	}
	if res.ExitCode() != ExitOK {
		t.Errorf("exit code %d: %v", res.ExitCode(), res.Err())
	}
}

// TestSoakRemoteProbe reads the service's probe over HTTP, as `soak run
// --probe URL` does, through the probe's own handler and client.
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
	f := res.Find(DetectorGoroutineLeak, admin.URL)
	if f == nil || f.Verdict != VerdictDetected || len(f.Suspects) == 0 || !strings.Contains(f.Suspects[0].Function, "waitForRefresh") {
		t.Fatalf("remote goroutine finding: %s", describeFinding(f))
	}
	if res.Capture.Config.InProcess != nil {
		t.Errorf("a remote probe counted as in-process: %v", res.Capture.Config.InProcess)
	}
}

// TestSoakGoroutineLeakProfile runs only in a binary built with
// GOEXPERIMENT=goroutineleakprofile (Go 1.26):
//
//	GOEXPERIMENT=goroutineleakprofile go test -run GoroutineLeakProfile ./engine/analysis
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
	f := res.Find(DetectorGoroutineLeak, "")
	if f.Verdict != VerdictDetected || f.Goroutines.LeakProfile != "available" || f.Goroutines.LeakProfileCount == 0 ||
		!strings.HasSuffix(f.Suspects[0].Function, ".blockForever") || f.Suspects[0].Detail != "blocked forever (goroutineleak profile)" {
		t.Fatalf("%s", describeFinding(f))
	}
}

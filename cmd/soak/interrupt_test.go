package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/soaklab/soak/cmd/soak/internal/results"
	"github.com/soaklab/soak/engine"
)

// slowTarget is a service whose /slow requests wait until the test
// releases them (then succeed) or the client goes away (counted in cut).
type slowTarget struct {
	*httptest.Server
	inFlight       chan struct{} // one value per /slow request received
	release        chan struct{}
	once           sync.Once
	completed, cut atomic.Int64
}

func newSlowTarget(t *testing.T) *slowTarget {
	st := &slowTarget{inFlight: make(chan struct{}, 1000), release: make(chan struct{})}
	st.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/slow" {
			http.NotFound(w, r)
			return
		}
		st.inFlight <- struct{}{}
		select {
		case <-st.release:
			io.WriteString(w, `{"ok":true}`)
			st.completed.Add(1)
		case <-r.Context().Done():
			st.cut.Add(1)
		}
	}))
	t.Cleanup(func() { st.free(); st.Close() })
	return st
}

// free lets every /slow request finish.
func (st *slowTarget) free() { st.once.Do(func() { close(st.release) }) }

// waitInFlight waits for n /slow requests in flight, at most a minute.
func (st *slowTarget) waitInFlight(t *testing.T, n int, s *started) {
	t.Helper()
	timeout := time.After(time.Minute)
	for range n {
		select {
		case <-st.inFlight:
		case <-timeout:
			t.Fatalf("fewer than %d requests in flight after a minute:\n%s", n, s.stderr.String())
		}
	}
}

// waitStderr waits until the process's stderr holds want, at most a minute.
func waitStderr(t *testing.T, s *started, want string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(s.stderr.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("stderr lacks %q after a minute:\n%s", want, s.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// endpointCounts checks the partial outputs of a results directory and
// returns its report's totals.
func endpointCounts(t *testing.T, out string) (requests, successes, aborted int64) {
	t.Helper()
	doc := checkOutputs(t, out, true)
	return doc.Totals.Requests, doc.Totals.Successes, doc.Totals.Aborted
}

// TestInterruptWritesPartialOutputs: the first SIGINT stops the load but
// lets the requests in flight against a slow endpoint complete: they are
// counted as successes, not aborted. Then every output is written, marked
// partial, and soak exits 130.
//
// The users wait an hour between tasks, so the only requests are the two
// in flight at the signal, whenever the engine acts on it.
func TestInterruptWritesPartialOutputs(t *testing.T) {
	t.Parallel() // 2 users waiting an hour between tasks, in a subprocess
	dir := t.TempDir()
	tg := newSlowTarget(t)
	s := start(t, dir, append([]string{"run", "--host", tg.URL, "--url", "/slow", "-u", "2", "-r", "2", "-t", "5m",
		"--wait", "1h", "--out", "out"}, quick...)...)
	tg.waitInFlight(t, 2, s)
	s.cmd.Process.Signal(syscall.SIGINT)
	waitStderr(t, s, "stopping: draining in-flight requests (up to 10s); Ctrl-C again to exit now")
	tg.free()
	if code := s.wait(t, time.Minute); code != exitInterrupted {
		t.Fatalf("exit %d, want %d:\n%s", code, exitInterrupted, s.stderr.String())
	}
	out := filepath.Join(dir, "out")
	requests, successes, aborted := endpointCounts(t, out)
	if requests != 2 || successes != 2 || aborted != 0 || tg.completed.Load() != 2 || tg.cut.Load() != 0 {
		t.Errorf("report: %d requests, %d successes, %d aborted; server: %d completed, %d cut; want the 2 in flight completed",
			requests, successes, aborted, tg.completed.Load(), tg.cut.Load())
	}
	if st := runStatus(t, out); st != results.StatusInterrupted {
		t.Errorf("run.json status %q", st)
	}
	saved, err := results.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Meta.Ending != engine.EndStopped {
		t.Errorf("run.json ending %q, want %q (a first Ctrl-C is a graceful stop)", saved.Meta.Ending, engine.EndStopped)
	}
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	if !strings.Contains(string(md), "(partial: interrupted)") || !strings.Contains(string(md), "stopped early") {
		t.Errorf("report.md is not marked partial with the graceful stop's note:\n%.300s", md)
	}
}

// TestInterruptStillDrains: after the first SIGINT the soak of the demo
// (with its probe, in process) still reads the service through its drain
// phase, then writes its outputs marked partial.
func TestInterruptStillDrains(t *testing.T) {
	t.Parallel() // the demo soaked in a subprocess, with its own probe
	dir := t.TempDir()
	s := start(t, dir, append([]string{"demo", "-u", "10", "-r", "10", "-t", "5m", "--out", "out"}, quick...)...)
	out := filepath.Join(dir, "out")
	waitIntervals(t, out, 3)
	s.cmd.Process.Signal(syscall.SIGINT)
	if code := s.wait(t, time.Minute); code != exitInterrupted {
		t.Fatalf("exit %d, want %d:\n%s", code, exitInterrupted, s.stderr.String())
	}
	checkOutputs(t, out, true)
	samples, _ := os.ReadFile(filepath.Join(out, results.CaptureFile))
	if !strings.Contains(string(samples), `"phase":"drain"`) {
		t.Errorf("no probe sample of the drain phase after the first SIGINT:\n%.1000s", samples)
	}
}

// TestSecondInterruptExitsAtOnce: after a first SIGINT, the requests in
// flight could drain for 5 minutes (--stop-timeout 5m; they never
// answer). A second SIGINT aborts them and soak exits 130 at once. Without
// a probe the outputs are written, marked partial, the requests counted
// as aborted; with a probe that never answers (its last reading would
// wait its 5 s timeout) soak exits before they are, saying so, and the
// intervals saved so far stay for soak report.
func TestSecondInterruptExitsAtOnce(t *testing.T) {
	t.Parallel() // 2 users and waits: it spends its time waiting, not computing
	for _, withProbe := range []bool{false, true} {
		t.Run(map[bool]string{false: "no probe", true: "silent probe"}[withProbe], func(t *testing.T) {
			t.Parallel() // each its own target and process: both wait
			dir := t.TempDir()
			tg := newSlowTarget(t)
			args := []string{"run", "--host", tg.URL, "--url", "/slow", "-u", "2", "-r", "2", "-t", "5m",
				"--stop-timeout", "5m", "--out", "out", "--baseline", "1s"}
			if withProbe {
				silent, _ := newSilentListener(t)
				args = append(args, "--probe", "http://"+silent, "--probe-interval", "5s", "--probe-optional")
			}
			s := start(t, dir, args...)
			tg.waitInFlight(t, 2, s)
			s.cmd.Process.Signal(syscall.SIGINT)
			waitStderr(t, s, "stopping: draining in-flight requests (up to 5m);")
			sent := time.Now()
			s.cmd.Process.Signal(syscall.SIGINT)
			if code := s.wait(t, time.Minute); code != exitInterrupted {
				t.Fatalf("exit %d, want %d:\n%s", code, exitInterrupted, s.stderr.String())
			}
			// Far below the 5 minutes of drain the first SIGINT allowed.
			if d := time.Since(sent); d > 45*time.Second {
				t.Errorf("soak took %v to exit after the second SIGINT", d)
			}
			if !strings.Contains(s.stderr.String(), "exiting now: requests in flight aborted") {
				t.Errorf("no note of the second interrupt:\n%s", s.stderr.String())
			}
			out := filepath.Join(dir, "out")
			if withProbe {
				if !strings.Contains(s.stderr.String(), "after the second interrupt; outputs not finished") {
					t.Errorf("soak did not say it exits before its outputs:\n%s", s.stderr.String())
				}
				if b, _ := os.ReadFile(filepath.Join(out, results.IntervalsFile)); len(b) == 0 {
					t.Error("the intervals saved before the signals are gone")
				}
				return
			}
			if _, _, aborted := endpointCounts(t, out); aborted != 2 {
				t.Errorf("%d requests counted aborted, want the 2 in flight", aborted)
			}
		})
	}
}

// TestInterruptHungProbe: a probe that accepts connections and never
// answers does not hold a Ctrl-C: after the first SIGINT the load stops,
// and the polls, the drain (a minute here) and the profile captures
// still to come are all bounded by --stop-timeout, as the live view says
// ("up to 2s"), where each used to wait its own timeout in turn (over a
// minute). The run then writes every output, marked partial, and exits
// 130. The test's limit is generous (45 s, for a loaded machine), far
// below what the unbounded waits took.
func TestInterruptHungProbe(t *testing.T) {
	t.Parallel() // 2 users and waits: it spends its time waiting, not computing
	dir := t.TempDir()
	tg := newTarget(t)
	silent, accepted := newSilentListener(t)
	s := start(t, dir, "run", "--host", tg.URL, "--url", "/ok", "-u", "2", "-r", "2", "-t", "5m", "--wait", "100ms",
		"--probe", "http://"+silent, "--probe-optional", "--probe-interval", "500ms", "--baseline", "1s",
		"--drain", "1m", "--stop-timeout", "2s", "--out", "out")
	out := filepath.Join(dir, "out")
	waitIntervals(t, out, 2)
	if accepted.Load() == 0 {
		t.Fatal("soak never connected to the silent probe: the test would prove nothing")
	}
	s.cmd.Process.Signal(syscall.SIGINT)
	waitStderr(t, s, "stopping: draining in-flight requests (up to 2s); Ctrl-C again to exit now")
	if code := s.wait(t, 45*time.Second); code != exitInterrupted {
		t.Fatalf("exit %d, want %d:\n%s", code, exitInterrupted, s.stderr.String())
	}
	checkOutputs(t, out, true)
	if st := runStatus(t, out); st != results.StatusInterrupted {
		t.Errorf("run.json status %q", st)
	}
	if strings.Contains(s.stderr.String(), "after the second interrupt") {
		t.Errorf("soak needed a second interrupt:\n%s", s.stderr.String())
	}
}

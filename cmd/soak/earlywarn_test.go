package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/middleware"
	"github.com/soaklab/soak/probe"
)

// leakyService is a real service over loopback: a story route that reads
// PostgreSQL through a 10-connection pgxpool and, on 2 % of its requests
// (at most maxLeaks in all), never releases the connection it acquired.
// The probe's leak threshold is 300 ms, so that holds become suspects
// within a few seconds of load.
type leakyService struct {
	pool *pgxpool.Pool
	mu   sync.Mutex
	n    int
	held []*pgxpool.Conn
}

const maxLeaks = 3

func newLeakyService(t *testing.T) (*leakyService, *probedTarget) {
	t.Helper()
	p := probe.New(probe.WithLeakThreshold(300 * time.Millisecond))
	t.Cleanup(func() { p.Close() })
	s := &leakyService{pool: probedPool(t, p, 10)}
	t.Cleanup(func() {
		s.mu.Lock()
		for _, c := range s.held {
			c.Release()
		}
		s.mu.Unlock()
	})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stories/{id}", s.leakyStory)
	svc := httptest.NewServer(middleware.HTTP(p)(mux))
	admin := httptest.NewServer(p.Handler())
	t.Cleanup(svc.Close)
	t.Cleanup(admin.Close)
	return s, &probedTarget{URL: svc.URL, Probe: admin.URL}
}

// leakyStory reads a story; every 50th request keeps its connection.
func (s *leakyService) leakyStory(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	var one int
	if err := c.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		c.Release()
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	s.mu.Lock()
	s.n++
	leak := s.n%50 == 0 && len(s.held) < maxLeaks
	if leak {
		s.held = append(s.held, c)
	}
	s.mu.Unlock()
	if !leak {
		c.Release()
	}
	w.Write([]byte(`{"id":1}`))
}

// A connection leak is warned on the log while the run goes, before its
// end, with the function that holds the connections; the report lists
// it with when it was first warned. The load would last a minute: the
// test stops it (SIGINT) once the warning is on the log, so that a
// loaded machine, slow to reach the warning, cannot end the load first.
func TestConnLeakWarnedLive(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, tg := newLeakyService(t)
	s := start(t, dir, append([]string{"run", "--host", tg.URL, "--url", "/stories/1", "-u", "4", "-r", "0",
		"-t", "60s", "--wait", "20ms", "--probe", tg.Probe, "--out", "live"}, quick...)...)
	waitStderr(t, s, "held-too-long in ")
	s.cmd.Process.Signal(syscall.SIGINT)
	if code := s.wait(t, time.Minute); code != exitInterrupted {
		t.Fatalf("exit %d, want %d (stopped):\n%s", code, exitInterrupted, s.stderr.String())
	}
	lines := strings.Split(s.stderr.String(), "\n")
	warned, stopping := -1, -1
	for i, l := range lines {
		if warned < 0 && strings.Contains(l, "soak: warning at ") && strings.Contains(l, "held-too-long in ") {
			warned = i
		}
		if stopping < 0 && strings.Contains(l, "stopping: ") {
			stopping = i
		}
	}
	if warned < 0 || stopping < 0 || warned > stopping {
		t.Fatalf("want a held-too-long warning on the log before the stop (lines %d and %d):\n%s", warned, stopping, s.stderr.String())
	}
	t.Logf("warned live: %s", lines[warned])
	if !strings.Contains(lines[warned], "leakyStory") || !strings.Contains(lines[warned], "pgx-conn held longer than the leak threshold (300ms)") {
		t.Errorf("the warning does not name the leaking function and what it holds: %q", lines[warned])
	}
	md, _ := readOut(t, filepath.Join(dir, "live"))
	wantAll(t, "report.md", md, "### Early Warnings", "- **First warned at ", "held-too-long in ", "leakyStory")
	c := readCapture(t, filepath.Join(dir, "live"))
	drain, ok := c.Timing.Span(capture.PhaseDrain)
	if len(c.Warnings) == 0 || c.Warnings[0].Kind != capture.WarnHeld || c.Warnings[0].At <= 0 || !ok ||
		!c.Warnings[0].Time.Before(drain.Start) || c.FailFast() != nil {
		t.Errorf("capture's warnings %+v (drain from %v): want the first, held-too-long, before the drain", c.Warnings, drain.Start)
	}
}

// --fail-fast ends the run at the first warning: the load stops long
// before its 60 s, the outputs are written, the report says why, and the
// exit code is the unhealthy verdict's.
func TestFailFastEndsTheRunEarly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, tg := newLeakyService(t)
	p := soak(t, dir, nil, 2*time.Minute, append([]string{"run", "--host", tg.URL, "--url", "/stories/1", "-u", "4", "-r", "0",
		"-t", "60s", "--wait", "20ms", "--probe", tg.Probe, "--fail-fast", "--stop-timeout", "2s", "--out", "ff"}, quick...)...)
	if p.code != exitUnstable || !strings.HasPrefix(lastLine(p.stdout), "exit 4: unhealthy") || !strings.Contains(p.stdout, "ended early by fail-fast") {
		t.Fatalf("exit %d, last line %q:\n%s\n%s", p.code, lastLine(p.stdout), p.stdout, p.stderr)
	}
	wantAll(t, "stderr", p.stderr, "soak: warning at ", "fail-fast: ending the run at this first warning")
	md, doc := readOut(t, filepath.Join(dir, "ff"))
	wantAll(t, "report.md", md, "(partial: ended early by fail-fast)", "Ended early by fail-fast at the first early warning",
		"**(ended the run: fail-fast)**", "leakyStory")
	if doc.Analysis == nil || doc.Analysis.ExitCode != exitUnstable || len(doc.Analysis.Warnings) == 0 || !doc.Analysis.Warnings[0].EndedRun {
		t.Errorf("report.json's analysis: %+v", doc.Analysis)
	}
	c := readCapture(t, filepath.Join(dir, "ff"))
	ff := c.FailFast()
	if ff == nil || ff.Kind != capture.WarnHeld {
		t.Fatalf("capture's warnings %+v: none ended the run", c.Warnings)
	}
	load, ok1 := c.Timing.Span(capture.PhaseWarmup)
	drain, ok2 := c.Timing.Span(capture.PhaseDrain)
	if !ok1 || !ok2 || drain.Start.Sub(load.Start) >= 60*time.Second {
		t.Errorf("the load was not ended early: %+v", c.Timing)
	}
}

// readCapture reads a results directory's probe.jsonl.
func readCapture(t *testing.T, dir string) *capture.Capture {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "probe.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := capture.ReadCapture(f, "probe.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

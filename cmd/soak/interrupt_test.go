package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/soaklab/soak/cmd/soak/internal/results"
)

// TestInterruptWritesPartialOutputs: one SIGINT stops the run, which
// writes every output marked partial and exits 130.
func TestInterruptWritesPartialOutputs(t *testing.T) {
	dir := t.TempDir()
	tg := newTarget(t)
	s := start(t, dir, append([]string{"run", "--host", tg.URL, "--url", "/ok", "-u", "2", "-r", "2", "-t", "5m",
		"--out", "out"}, quick...)...)
	waitIntervals(t, filepath.Join(dir, "out"), 2)
	s.cmd.Process.Signal(syscall.SIGINT)
	if code := s.wait(t, 60*time.Second); code != exitInterrupted {
		t.Fatalf("exit %d, want %d:\n%s", code, exitInterrupted, s.stderr.String())
	}
	out := filepath.Join(dir, "out")
	checkOutputs(t, out, true)
	if st := runStatus(t, out); st != results.StatusInterrupted {
		t.Errorf("run.json status %q", st)
	}
	if !strings.Contains(s.stderr.String(), "interrupted") {
		t.Errorf("no interruption note:\n%s", s.stderr.String())
	}
}

// TestKillThenReport: a soak killed with SIGKILL keeps the intervals and
// probe samples it saved, and soak report rebuilds every output from
// them, marked partial, with the server side measured.
func TestKillThenReport(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir, append([]string{"demo", "-u", "10", "-r", "10", "-t", "5m", "--out", "out"}, quick...)...)
	out := filepath.Join(dir, "out")
	waitIntervals(t, out, 3)
	s.cmd.Process.Kill()
	s.wait(t, 30*time.Second)
	for _, f := range []string{"report.json", "report.md", "soak_stats.csv"} {
		if _, err := os.Stat(filepath.Join(out, f)); err == nil {
			t.Fatalf("%s exists before soak report: the test would prove nothing", f)
		}
	}
	samples, _ := os.ReadFile(filepath.Join(out, results.CaptureFile))
	if !strings.Contains(string(samples), `"type":"sample"`) {
		t.Fatalf("no probe sample saved before the kill:\n%.500s", samples)
	}
	p := soak(t, dir, nil, time.Minute, "report", "--csv", "rebuilt", "out")
	if p.code == exitError || p.code == exitUsage {
		t.Fatalf("soak report: exit %d:\n%s\n%s", p.code, p.stdout, p.stderr)
	}
	if !strings.Contains(p.stderr, "never finished") {
		t.Errorf("soak report does not warn that the run never finished:\n%s", p.stderr)
	}
	doc := checkOutputs(t, out, true)
	if doc.Totals.Requests == 0 {
		t.Error("no request rebuilt")
	}
	if _, err := os.Stat(filepath.Join(dir, "rebuilt_stats.csv")); err != nil {
		t.Error(err)
	}
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	if unreachable.Match(md) || !strings.Contains(string(md), "Service Go Version**: go1.") {
		t.Errorf("the rebuilt report lost the probe's side:\n%.3000s", md)
	}
}

// TestSecondInterruptExitsAtOnce: after a first Ctrl-C, soak finishes the
// run (here slowly: its probe accepts connections and never answers, so
// the last reading waits for its 5 s timeout); a second Ctrl-C gets the
// signal's default action and ends the process before that.
func TestSecondInterruptExitsAtOnce(t *testing.T) {
	dir := t.TempDir()
	tg := newTarget(t)
	silent, _ := newSilentListener(t)
	s := start(t, dir, "run", "--host", tg.URL, "--url", "/ok", "-u", "2", "-r", "2", "-t", "5m", "--out", "out",
		"--probe", "http://"+silent, "--probe-interval", "5s", "--baseline", "1s")
	waitIntervals(t, filepath.Join(dir, "out"), 2)
	s.cmd.Process.Signal(syscall.SIGINT)
	time.Sleep(500 * time.Millisecond) // let the first one be handled: the run is now waiting on the probe
	s.cmd.Process.Signal(syscall.SIGINT)
	s.wait(t, 60*time.Second)
	ws, ok := s.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Fatalf("soak was not ended by the second SIGINT: %v\n%s", s.cmd.ProcessState, s.stderr.String())
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "out", results.IntervalsFile)); len(b) == 0 {
		t.Error("the intervals saved before the signals are gone")
	}
}

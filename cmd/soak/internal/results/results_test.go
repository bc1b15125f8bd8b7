package results

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/internal/redact"
)

var t0 = time.Date(2026, 11, 28, 5, 0, 0, 0, time.UTC)

func interval(i int, n int64) *engine.Interval {
	h := &engine.Histogram{}
	for range n {
		h.Record(1000 + int64(i))
	}
	st := engine.Stat{Method: "GET", Name: "/ok", Requests: n, SumMicros: n * (1000 + int64(i)),
		MinMicros: 1000 + int64(i), MaxMicros: 1000 + int64(i), Latency: h}
	return &engine.Interval{Seq: i, Span: 1, Start: t0.Add(time.Duration(i) * time.Second),
		End: t0.Add(time.Duration(i+1) * time.Second), Users: 5, MaxUsers: 5, Stats: []engine.Stat{st}}
}

// writeRun writes a run of one interval that ended as ending, with
// status, into dir.
func writeRun(t *testing.T, dir string, ending engine.Ending, status Status) {
	t.Helper()
	d, err := Create(dir, Meta{Mode: "run"})
	if err != nil {
		t.Fatal(err)
	}
	d.Start(info())
	d.Interval(interval(0, 10))
	d.SetEnding(ending)
	if err := d.Finish(status); err != nil {
		t.Fatal(err)
	}
}

func info() engine.RunInfo {
	return engine.RunInfo{RunID: "r1", Host: "http://127.0.0.1:1", Model: "closed", Start: t0,
		Interval: time.Second, Duration: time.Minute, Users: 5, Classes: []engine.ClassInfo{{Name: "U", Weight: 1, Tasks: 1}}}
}

func TestRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	d, err := Create(dir, Meta{Command: redact.Args([]string{"soak", "run", "--probe-token", "s3cret"}), Mode: "run"})
	if err != nil {
		t.Fatal(err)
	}
	d.Start(info())
	for i := range 3 {
		d.Interval(interval(i, 10))
	}
	// Saved before Finish: readable as a running (killed) run.
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Intervals) != 3 || !s.Partial() || s.Meta.Status != StatusRunning {
		t.Fatalf("mid-run read: %d intervals, partial %v, status %s", len(s.Intervals), s.Partial(), s.Meta.Status)
	}
	if err := d.Finish(StatusComplete); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.Partial() || len(s.Warnings) != 0 {
		t.Fatalf("complete run read as partial: %v", s.Warnings)
	}
	r := s.Result()
	tot := r.Total.Total()
	if tot.Requests != 30 || r.RunID != "r1" || r.Canceled {
		t.Fatalf("rebuilt result: %d requests, id %q", tot.Requests, r.RunID)
	}
	if !r.Intervals[2].Stats[0].Latency.Equal(interval(2, 10).Stats[0].Latency) {
		t.Fatal("histogram not read back exactly")
	}
	raw, _ := os.ReadFile(filepath.Join(dir, RunFile))
	if strings.Contains(string(raw), "s3cret") || !strings.Contains(string(raw), redact.Mark) {
		t.Fatalf("run.json: %s", raw)
	}
	if _, err := Create(dir, Meta{}); !errors.Is(err, ErrExists) {
		t.Fatalf("Create over a previous run: %v, want ErrExists", err)
	}
}

func TestTornTail(t *testing.T) {
	dir := t.TempDir()
	d, err := Create(dir, Meta{Mode: "run"})
	if err != nil {
		t.Fatal(err)
	}
	d.Start(info())
	for i := range 4 {
		d.Interval(interval(i, 3))
	}
	// A kill -9 in the middle of a write: the last line is cut short.
	name := filepath.Join(dir, IntervalsFile)
	b, _ := os.ReadFile(name)
	if err := os.WriteFile(name, b[:len(b)-40], 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Intervals) != 3 || len(s.Warnings) != 2 {
		t.Fatalf("%d intervals, warnings %q; want 3 and a torn-tail plus a never-finished warning", len(s.Intervals), s.Warnings)
	}
	// Damage before the last line is an error naming file and line.
	lines := strings.SplitAfter(string(b), "\n")
	lines[1] = "{broken\n"
	if err := os.WriteFile(name, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), IntervalsFile+":2") {
		t.Fatalf("damaged file: %v", err)
	}
	d.Finish(StatusInterrupted)
}

// run.json keeps how the load ended, and a rebuild restores it; a file
// written before the field existed reads its interrupted status as a
// cancellation, and an unknown ending is refused by name.
func TestEndingRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		ending engine.Ending
		status Status
		want   engine.Ending
	}{
		{engine.EndCompleted, StatusComplete, engine.EndCompleted},
		{engine.EndStopped, StatusInterrupted, engine.EndStopped},
		{engine.EndCanceled, StatusInterrupted, engine.EndCanceled},
		{"", StatusInterrupted, engine.EndCanceled},
		{"", StatusComplete, engine.EndCompleted},
	} {
		dir := t.TempDir()
		writeRun(t, dir, tc.ending, tc.status)
		s, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Result().Ending(); got != tc.want {
			t.Errorf("ending %q, status %s: rebuilt as %q, want %q", tc.ending, tc.status, got, tc.want)
		}
	}
	dir := t.TempDir()
	d, _ := Create(dir, Meta{Mode: "run"})
	d.Start(info())
	d.SetEnding("exploded")
	d.Finish(StatusInterrupted)
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "field ending") || !strings.Contains(err.Error(), RunFile) {
		t.Fatalf("unknown ending: %v", err)
	}
}

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir); !errors.Is(err, ErrNotResults) {
		t.Fatalf("empty dir: %v", err)
	}
	os.WriteFile(filepath.Join(dir, RunFile), []byte(`{"format":"other"}`), 0o644)
	if _, err := Open(dir); !errors.Is(err, ErrNotResults) || !strings.Contains(err.Error(), "format") {
		t.Fatalf("foreign run.json: %v", err)
	}
}

// TestRebuild: a directory rebuilt from a stream reads back like one
// written as the run went, keeping the probe samples already there.
func TestRebuild(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rebuilt")
	t0 := time.Date(2027, 1, 15, 8, 0, 0, 0, time.UTC)
	info := engine.RunInfo{RunID: "r", Start: t0, Interval: time.Second, Duration: 2 * time.Second,
		Parts: []engine.Part{{Segment: "1/2", Engine: "a"}, {Segment: "2/2", Engine: "b", Stopped: t0.Add(time.Second), Why: "gone"}}}
	ivs := []*engine.Interval{{Seq: 0, Span: 1, Start: t0, End: t0.Add(time.Second)},
		{Seq: 1, Span: 1, Start: t0.Add(time.Second), End: t0.Add(2 * time.Second), Lost: []string{"2/2"}}}
	meta := Meta{Mode: "run", Status: StatusInterrupted, Info: &info, Fleet: &Fleet{NATS: "nats://127.0.0.1:4222", Job: "j", Run: "r"}}
	if err := Rebuild(dir, meta, ivs); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, CaptureFile), nil, 0o644)
	if err := Rebuild(dir, meta, ivs); err != nil { // again, over the first
		t.Fatal(err)
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Intervals) != 2 || s.Meta.Fleet.Run != "r" || s.Result().Parts[1].Why != "gone" || s.Capture == nil {
		t.Errorf("read back: %d intervals, meta %+v", len(s.Intervals), s.Meta)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

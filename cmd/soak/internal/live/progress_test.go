package live

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
)

var t0 = time.Date(2026, 11, 28, 5, 0, 0, 0, time.UTC)

// interval makes the i-th one-second interval: n requests of latency
// ms milliseconds, fail of them failed (5xx) and limited of them 429s.
func interval(i int, users int, n, fail, limited int64, ms int64) *engine.Interval {
	h := &engine.Histogram{}
	for range n {
		h.Record(ms * 1000)
	}
	st := engine.Stat{Method: "GET", Name: "/ok", Requests: n, RateLimited: limited, SumMicros: n * ms * 1000,
		MinMicros: ms * 1000, MaxMicros: ms * 1000, Latency: h}
	st.Kinds[engine.KindStatus5xx] = fail
	return &engine.Interval{Seq: i, Span: 1, Start: t0.Add(time.Duration(i) * time.Second),
		End: t0.Add(time.Duration(i+1) * time.Second), Users: users, MaxUsers: users, Stats: []engine.Stat{st}}
}

func info() engine.RunInfo {
	return engine.RunInfo{RunID: "r1", Host: "http://127.0.0.1:8000", Model: "closed", Start: t0,
		Duration: 30 * time.Second, Users: 20, Interval: time.Second}
}

func TestLogLines(t *testing.T) {
	var b strings.Builder
	p := New(&b, false)
	p.Start(info())
	for i := range 25 {
		iv := interval(i, 20, 100, 1, 2, 12)
		iv.End = iv.End.Add(-time.Millisecond) // the run's clock: a window of 10 ends a hair before 10 s
		p.Interval(iv)
	}
	p.Finish()
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("want a headline and 3 window lines (10 s, 20 s, the last 5 s), got %d:\n%s", len(lines), b.String())
	}
	if !strings.Contains(lines[0], "run r1 against http://127.0.0.1:8000, closed model, 20 users for 30s") {
		t.Errorf("headline %q", lines[0])
	}
	want := []string{"2026-11-28T05:00:09Z soak: elapsed 10s of 30s, remaining 20s", "users 20/20", "rps 100.0",
		"p50 12.0ms p95 12.0ms p99 12.0ms (last 10s)", "failures 10 (1.00%)", "429s 20"}
	for _, w := range want {
		if !strings.Contains(lines[1], w) {
			t.Errorf("line %q lacks %q", lines[1], w)
		}
	}
	if !strings.Contains(lines[3], "elapsed 25s of 30s") || !strings.Contains(lines[3], "(last 5s)") || !strings.Contains(lines[3], "failures 25 (1.00%)") {
		t.Errorf("last line %q", lines[3])
	}
}

func TestTerminalView(t *testing.T) {
	var b strings.Builder
	p := New(&b, true)
	p.SetLabel("demo run")
	p.Start(info())
	p.Probe("http://127.0.0.1:8001", errors.New("connection refused"))
	for i := range 8 {
		p.Interval(interval(i, 10, 50, 0, 0, 3))
	}
	p.Note("stopping: draining requests in flight; Ctrl-C again exits at once")
	out := b.String()
	if strings.Count(out, "\x1b[J") != 8 { // every view after the first clears the previous one
		t.Errorf("want 8 redraws, got %d", strings.Count(out, "\x1b[J"))
	}
	last := out[strings.LastIndex(out, "\x1b[J")+3:]
	for _, w := range []string{"demo run r1", "elapsed 8s of 30s, remaining 22s", "users 10/20", "rps 50.0",
		"p50 3.00ms", "(last 5s)", "failures 0 (0.00%)", "probe http://127.0.0.1:8001: not reachable (connection refused)",
		"requests 400, aborted 0", "stopping: draining"} {
		if !strings.Contains(last, w) {
			t.Errorf("view lacks %q:\n%s", w, last)
		}
	}
	for _, l := range strings.Split(last, "\n") {
		if len(l) > 100 {
			t.Errorf("line too wide for a terminal (%d): %q", len(l), l)
		}
	}
}

func TestProbeStateChangesLogged(t *testing.T) {
	var b strings.Builder
	p := New(&b, false)
	p.Probe("a", nil)
	p.Probe("a", nil)
	p.Probe("a", errors.New("timeout"))
	p.Probe("a", errors.New("timeout"))
	p.Probe("a", nil)
	if n := strings.Count(b.String(), "\n"); n != 3 {
		t.Fatalf("want 3 lines (answering, not reachable, answering), got %d:\n%s", n, b.String())
	}
}

func TestFormats(t *testing.T) {
	for us, want := range map[int64]string{0: "-", 420: "0.42ms", 12345: "12.3ms", 480000: "480ms", 1250000: "1.25s"} {
		if got := Millis(us); got != want {
			t.Errorf("Millis(%d) = %q, want %q", us, got, want)
		}
	}
	for d, want := range map[time.Duration]string{0: "0s", 65 * time.Second: "1m05s", 3723 * time.Second: "1h02m03s", -time.Second: "0s"} {
		if got := Clock(d); got != want {
			t.Errorf("Clock(%v) = %q, want %q", d, got, want)
		}
	}
	if Percent(1, 0) != "-" || Percent(1, 8) != "12.50%" {
		t.Error("Percent")
	}
}

// Users that quit are shown as they quit: counted beside the users on
// the terminal view, and logged with the first reason off a terminal.
func TestQuitsShown(t *testing.T) {
	for _, tty := range []bool{false, true} {
		var b strings.Builder
		p := New(&b, tty)
		p.Start(info())
		for i := range 12 {
			iv := interval(i, 20-min(i, 8), 100, 0, 0, 5)
			if i == 0 {
				iv.Started = 20
			}
			if i > 0 && i <= 8 {
				iv.Quits = []engine.ErrorStat{{Name: "AuthenticatedUser/on_start", Error: "POST /api/auth/login: timeout", Count: 1}}
			}
			p.Interval(iv)
		}
		p.Finish()
		out := b.String()
		for _, w := range []string{"users 12/20 (8 quit)"} {
			if !strings.Contains(out, w) {
				t.Errorf("tty %v: no %q in:\n%s", tty, w, out)
			}
		}
		if !tty && !strings.Contains(out, "1 user quit (8 so far of 20 started), e.g. AuthenticatedUser/on_start: POST /api/auth/login: timeout") {
			t.Errorf("no quit logged:\n%s", out)
		}
	}
}

// TestNoZeroWindow: the load's last instant, an interval of a few
// milliseconds without a request after the last line, is not logged as
// a window of "last 0s"; a short window with requests is, in
// milliseconds.
func TestNoZeroWindow(t *testing.T) {
	var b strings.Builder
	p := New(&b, false)
	p.Start(info())
	for i := range 10 {
		p.Interval(interval(i, 20, 100, 0, 0, 12))
	}
	sliver := interval(10, 0, 0, 0, 0, 0)
	sliver.End = sliver.Start.Add(3 * time.Millisecond)
	p.Interval(sliver)
	p.Finish()
	if strings.Contains(b.String(), "last 0s") || strings.Count(b.String(), "\n") != 2 {
		t.Errorf("want the headline and one window line:\n%s", b.String())
	}
	b.Reset()
	p = New(&b, false)
	p.Start(info())
	short := interval(0, 20, 40, 0, 0, 12)
	short.End = short.Start.Add(400 * time.Millisecond)
	p.Interval(short)
	p.Finish()
	if !strings.Contains(b.String(), "(last 400ms)") {
		t.Errorf("a 400 ms window:\n%s", b.String())
	}
}

// TestVerbosity: NoFigures (--only-summary) keeps the headline, probes
// and notes and drops the figures; WarningsOnly (-L WARNING) keeps only
// the notes and the probes that stop answering; neither redraws a view.
func TestVerbosity(t *testing.T) {
	for _, tc := range []struct {
		v    Verbosity
		want []string
		not  []string
	}{
		{NoFigures, []string{"run r1 against", "probe a: answering", "probe a: not reachable", "stopping"}, []string{"elapsed", "\x1b["}},
		{WarningsOnly, []string{"probe a: not reachable", "stopping"}, []string{"run r1 against", "answering", "elapsed", "\x1b["}},
	} {
		var b strings.Builder
		p := New(&b, true)
		p.SetVerbosity(tc.v)
		p.Start(info())
		p.Probe("a", nil)
		for i := range 25 {
			p.Interval(interval(i, 20, 100, 0, 0, 12))
		}
		p.Probe("a", errors.New("timeout"))
		p.Note("stopping: draining requests in flight")
		p.Finish()
		for _, w := range tc.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("verbosity %d: lacks %q:\n%s", tc.v, w, b.String())
			}
		}
		for _, n := range tc.not {
			if strings.Contains(b.String(), n) {
				t.Errorf("verbosity %d: has %q:\n%s", tc.v, n, b.String())
			}
		}
	}
}

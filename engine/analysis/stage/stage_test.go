package stage

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/capture"
)

var t0 = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

// second returns a one-second interval at t0+i s of req requests at us
// each, fail of them failed, with users running.
func second(i int, req, fail, us int64, users int) *engine.Interval {
	st := engine.Stat{Method: "GET", Name: "/x", Requests: req, Latency: &engine.Histogram{}}
	st.Kinds[engine.KindStatus5xx] = fail
	for range req {
		st.Latency.Record(us)
		st.SumMicros += us
	}
	st.MinMicros, st.MaxMicros = us, us
	start := t0.Add(time.Duration(i) * time.Second)
	return &engine.Interval{Seq: i, Span: 1, Start: start, End: start.Add(time.Second), Users: users, MaxUsers: users,
		Stats: []engine.Stat{st}}
}

// stepRun is 300 s of steady state: 50 users at 100 requests/s of 2 ms
// for 120 s, then 200 users at 400/s of 8 ms with 1% failed, the 13 s
// after the change (10 s settle + 150 users at 50/s) at 900 ms and 50%
// failed, which the stage must leave out.
func stepRun() Input {
	var ivs []*engine.Interval
	for i := range 300 {
		switch {
		case i < 120:
			ivs = append(ivs, second(i, 100, 0, 2000, 50))
		case i < 133:
			ivs = append(ivs, second(i, 1000, 500, 900_000, 120))
		default:
			ivs = append(ivs, second(i, 400, 4, 8000, 200))
		}
	}
	return Input{Intervals: ivs, Steady: capture.Span{Phase: capture.PhaseSteady, Start: t0, End: t0.Add(300 * time.Second)},
		Initial: Boundary{Users: 10},
		Bounds: []Boundary{
			{At: t0.Add(120 * time.Second), Users: 200, Cause: "users changed to 200"},
			{At: t0.Add(-20 * time.Second), Users: 50, Cause: "planned stage 1"}, // before the steady state: its load
		},
		Limits: Limits{Settle: 10 * time.Second, SpawnRate: 50, MinLeakSpan: time.Minute, MinPoints: 5,
			P95: 500 * time.Millisecond, ErrorRate: 0.05, ExhaustedShare: 0.2, HeapBar: 1 << 20 / 300.0, GoroutineBar: 10 / 300.0}}
}

func near(got, want time.Duration) bool { return math.Abs(float64(got-want)) <= 0.001*float64(want) }

func TestSplitFigures(t *testing.T) {
	ss := Split(stepRun())
	if len(ss) != 2 {
		t.Fatalf("got %d stages, want 2", len(ss))
	}
	s1, s2 := ss[0], ss[1]
	if s1.Name() != "stage 1 (50 users)" || s1.Cause != "steady state" || s1.Settle != 0 || s1.Judged != 120*time.Second {
		t.Errorf("stage 1: %s, %q, settle %v, judged %v", s1.Name(), s1.Cause, s1.Settle, s1.Judged)
	}
	if s2.Name() != "stage 2 (200 users)" || s2.Cause != "users changed to 200" || s2.Settle != 13*time.Second || s2.Judged != 167*time.Second {
		t.Errorf("stage 2: %s, %q, settle %v, judged %v", s2.Name(), s2.Cause, s2.Settle, s2.Judged)
	}
	if s1.Requests != 12_000 || s1.RPS != 100 || s1.Failures != 0 || s1.RunningUsers != 50 || s1.P50 != 2*time.Millisecond || s1.P99 != 2*time.Millisecond {
		t.Errorf("stage 1 figures: %+v", s1)
	}
	// The settling seconds (900 ms, half failed) are in no figure.
	if s2.Requests != 167*400 || s2.RPS != 400 || s2.Failures != 167*4 || s2.ErrorRate != 0.01 || s2.RunningUsers != 200 ||
		!near(s2.P50, 8*time.Millisecond) || !near(s2.P95, 8*time.Millisecond) || !near(s2.P99, 8*time.Millisecond) {
		t.Errorf("stage 2 figures: %+v", s2)
	}
	for _, s := range ss {
		for _, c := range s.Checks {
			if c.Verdict != OK {
				t.Errorf("%s: %+v, want ok", s.Name(), c)
			}
		}
	}
}

func TestSplitOneLevel(t *testing.T) {
	in := stepRun()
	in.Bounds = in.Bounds[1:] // only the boundary before the steady state
	if ss := Split(in); ss != nil {
		t.Errorf("one load level gave %d stages, want none", len(ss))
	}
}

// A change at the instant a planned stage starts replaces it: no stage of
// no time.
func TestSplitSameInstant(t *testing.T) {
	in := stepRun()
	in.Bounds = append(in.Bounds, Boundary{At: t0.Add(120 * time.Second), Users: 100, Cause: "planned stage 2"})
	in.Bounds[0], in.Bounds[2] = in.Bounds[2], in.Bounds[0] // the planned one sorts first
	ss := Split(in)
	if len(ss) != 2 || ss[1].Cause != "users changed to 200" || ss[1].Users != 200 {
		t.Errorf("stages %+v", ss)
	}
}

func TestSplitSettleCoversShortStage(t *testing.T) {
	in := stepRun()
	in.Bounds = append(in.Bounds, Boundary{At: t0.Add(125 * time.Second), Users: 210, Cause: "users changed to 210"})
	ss := Split(in)
	if len(ss) != 3 || ss[1].Judged != 0 || ss[1].Settle != 5*time.Second || ss[1].Requests != 0 {
		t.Fatalf("a 5 s stage: %+v", ss[1])
	}
	if c := ss[1].Checks; len(c) != 1 || c[0].Verdict != TooShort || !strings.Contains(c[0].Summary, "all of it settling") {
		t.Errorf("a 5 s stage's checks: %+v", c)
	}
	if ss[2].Settle != 10*time.Second+200*time.Millisecond { // 10 more users at 50/s
		t.Errorf("stage 3 settle %v", ss[2].Settle)
	}
}

// poolSource is a probe source sampled every 2 s whose pool of 4 is
// exhausted (every connection acquired, 20 acquires waiting per second)
// from exhaustedFrom on, and whose heap and goroutines follow level.
func poolSource(exhaustedFrom time.Duration, heap func(s float64) float64) *capture.SourceTimeline {
	src := &capture.SourceTimeline{Name: "svc"}
	var empty int64
	for d := time.Duration(0); d <= 300*time.Second; d += 2 * time.Second {
		p := capture.Point{Time: t0.Add(d), Phase: capture.PhaseSteady, LiveHeapBytes: uint64(heap(d.Seconds())), Goroutines: 40}
		pp := capture.PoolPoint{Name: "db", Max: 4, Total: 4, Acquired: 2, EmptyAcquire: empty}
		if d >= exhaustedFrom {
			empty += 40
			pp.Acquired, pp.EmptyAcquire = 4, empty
		}
		p.Pools = []capture.PoolPoint{pp}
		src.Points = append(src.Points, p)
	}
	return src
}

func TestPoolExhaustedInItsStage(t *testing.T) {
	in := stepRun()
	in.Sources = []*capture.SourceTimeline{poolSource(140*time.Second, func(float64) float64 { return 30 << 20 })}
	ss := Split(in)
	flagged, clear := Where(ss, CheckPool, "svc")
	if len(flagged) != 1 || flagged[0] != "stage 2 (200 users)" || len(clear) != 1 || clear[0] != "stage 1 (50 users)" {
		t.Errorf("pool flagged in %v, clear in %v", flagged, clear)
	}
	if got, want := Attribution(ss, CheckPool, "svc"), "in stage 2 (200 users), not in stage 1 (50 users)"; got != want {
		t.Errorf("Attribution = %q, want %q", got, want)
	}
	p := ss[1].Servers[0].Pools[0]
	if p.Peak != 4 || p.Max != 4 || p.Waits != 80*40 || p.Exhausted != 160*time.Second {
		t.Errorf("stage 2 pool: %+v", p)
	}
	if p := ss[0].Servers[0].Pools[0]; p.Peak != 2 || p.Waits != 0 || p.Exhausted != 0 {
		t.Errorf("stage 1 pool: %+v", p)
	}
}

func TestRise(t *testing.T) {
	in := stepRun()
	// A heap that steps up with the users, flat within each stage.
	in.Sources = []*capture.SourceTimeline{poolSource(1e12, func(s float64) float64 {
		if s >= 120 {
			return 80 << 20
		}
		return 30 << 20
	})}
	if kind, steps := Rise(Split(in), CheckMemory, "svc"); kind != RiseLoad || steps != "stage 2 (200 users) from 50 users" {
		t.Errorf("a step: Rise = %q, %q", kind, steps)
	}
	// A heap that grows 2 MB a minute within the stages too.
	in.Sources = []*capture.SourceTimeline{poolSource(1e12, func(s float64) float64 { return 30<<20 + s*(2<<20)/60 })}
	if kind, _ := Rise(Split(in), CheckMemory, "svc"); kind != RiseGrows {
		t.Errorf("a leak: Rise = %q", kind)
	}
	// Stages shorter than MinLeakSpan cannot tell.
	in.Limits.MinLeakSpan = 10 * time.Minute
	ss := Split(in)
	if kind, _ := Rise(ss, CheckMemory, "svc"); kind != RiseShort {
		t.Errorf("short stages: Rise = %q", kind)
	}
	for _, c := range ss[0].Checks {
		if c.Check == CheckMemory && (c.Verdict != TooShort || !strings.Contains(c.Summary, "too short to judge a leak")) {
			t.Errorf("short stage memory check: %+v", c)
		}
	}
	// A step down is no step up.
	in.Bounds[0].Users = 20
	if kind, _ := Rise(Split(in), CheckMemory, "svc"); kind != RiseNoStep {
		t.Errorf("a step down: Rise = %q", kind)
	}
}

package poolwait

import (
	"testing"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/probe"
)

func TestIntervals(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	pt := func(s int, acquired, waiting int32, empty int64) capture.Point {
		return capture.Point{Time: t0.Add(time.Duration(s) * time.Second),
			Pools: []capture.PoolPoint{{Name: "db", Max: 4, Total: 4, Acquired: acquired, Waiting: int(waiting), EmptyAcquire: empty}}}
	}
	pts := []capture.Point{
		pt(0, 1, 0, 0),
		pt(2, 4, 0, 10), // at its max with 10 waits: exhausted
		pt(4, 4, 0, 10), // held at its max, no wait: busy, not exhausted
		pt(6, 2, 0, 12), // 2 waits after a sample at its max: exhausted
		pt(8, 4, 3, 12), // acquires queued at its max: exhausted
	}
	ivs := Intervals(pts, "db")
	if len(ivs) != 4 {
		t.Fatalf("%d intervals", len(ivs))
	}
	want := []bool{true, false, true, true}
	for i, iv := range ivs {
		if iv.Exhausted() != want[i] {
			t.Errorf("interval %d (%+v): exhausted %v, want %v", i, iv, iv.Exhausted(), want[i])
		}
	}
	if ivs[0].Empty != 10 || ivs[0].DT != 2*time.Second {
		t.Errorf("interval 0: %+v", ivs[0])
	}
	if got := Exhausted(pts, "db"); got != 6*time.Second {
		t.Errorf("Exhausted = %v, want 6s", got)
	}
	if peak, mx, atMax := Peak(pts, "db"); peak != 4 || mx != 4 || atMax != 8*time.Second {
		t.Errorf("Peak = %d, %d, %v", peak, mx, atMax)
	}
	if got := Intervals(pts, "other"); got != nil {
		t.Errorf("an unknown pool: %+v", got)
	}
}

// TestClearedThinned: the drain's last stretch is judged between its
// last sample and the latest point before it, also when the timeline
// kept every other point (a long run) and the last sample's point is not
// among them: waits early in the drain, and up to the point before the
// last, are the backlog clearing.
func TestClearedThinned(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	// empty[i] is the pool's cumulative empty acquires at drain sample i
	// (every 2 s): waits go on until sample 3, none after.
	empty := []int64{40, 44, 46, 47, 47, 47}
	snap := func(e int64) *probe.Snapshot {
		return &probe.Snapshot{Pools: []probe.PoolSnapshot{{Name: "db", MaxConns: 4, TotalConns: 4, EmptyAcquireCount: e}}}
	}
	for _, c := range []struct {
		name string
		kept []int // the drain samples the timeline kept as points
		want bool
	}{
		{"every sample", []int{0, 1, 2, 3, 4, 5}, true},
		{"thinned, the last sample not kept", []int{0, 2, 4}, true},
		// Kept points that end before the waits did cannot place them: the
		// stretch from the latest kept point holds waits, so not cleared.
		{"thinned, no kept point after the waits", []int{0, 2}, false},
	} {
		tl := &capture.SourceTimeline{
			First:    map[capture.Phase]*probe.Snapshot{capture.PhaseDrain: snap(empty[0])},
			Last:     map[capture.Phase]*probe.Snapshot{capture.PhaseDrain: snap(empty[len(empty)-1])},
			LastTime: map[capture.Phase]time.Time{capture.PhaseDrain: t0.Add(time.Duration(2*(len(empty)-1)) * time.Second)},
		}
		for _, i := range c.kept {
			tl.Points = append(tl.Points, capture.Point{Time: t0.Add(time.Duration(2*i) * time.Second), Phase: capture.PhaseDrain,
				Pools: []capture.PoolPoint{{Name: "db", Max: 4, Total: 4, EmptyAcquire: empty[i]}}})
		}
		cleared, checked := Cleared(tl, "db")
		if !checked || cleared != c.want {
			t.Errorf("%s: cleared %v (checked %v), want %v", c.name, cleared, checked, c.want)
		}
	}
}

// TestPeakHeld: the tracer's counts by connections held at each acquire
// give the busiest instant that no sample saw; a counter that went back
// (a restart) adds nothing; a count beyond the max (a hijack the tracer
// was not told of) is clamped; a probe without the counts is not counted.
func TestPeakHeld(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	pt := func(s int, acquired int32, held ...uint64) capture.Point {
		return capture.Point{Time: t0.Add(time.Duration(s) * time.Second),
			Pools: []capture.PoolPoint{{Name: "db", Max: 10, Total: 10, Acquired: acquired, HeldAtAcquire: held}}}
	}
	cases := []struct {
		name    string
		pts     []capture.Point
		peak    int32
		counted bool
	}{
		{"between samples", []capture.Point{pt(0, 1, 0, 50, 20), pt(2, 0, 0, 90, 30, 2, 1), pt(4, 1, 0, 120, 31, 2, 1)}, 4, true},
		{"the entry that grew, not the longest", []capture.Point{pt(0, 0, 0, 5, 5, 5), pt(2, 2, 0, 9, 5, 5)}, 2, true},
		{"held at a sample, no acquire", []capture.Point{pt(0, 6, 0, 9, 9, 9, 9, 9, 9), pt(2, 6, 0, 9, 9, 9, 9, 9, 9)}, 6, true},
		{"counts went back", []capture.Point{pt(0, 1, 0, 90, 30, 2, 1), pt(2, 1, 0, 3, 1)}, 1, true},
		{"clamped to the max", []capture.Point{pt(0, 0), pt(2, 3, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)}, 10, true},
		{"not counted", []capture.Point{pt(0, 3), pt(2, 2)}, 0, false},
	}
	for _, c := range cases {
		peak, counted := PeakHeld(c.pts, "db")
		if peak != c.peak || counted != c.counted {
			t.Errorf("%s: PeakHeld = %d, %v; want %d, %v", c.name, peak, counted, c.peak, c.counted)
		}
	}
}

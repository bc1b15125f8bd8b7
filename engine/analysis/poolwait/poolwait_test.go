package poolwait

import (
	"testing"
	"time"

	"github.com/soaklab/soak/engine/capture"
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

package poolwait_test

import (
	"fmt"
	"time"

	"github.com/soaklab/soak/engine/analysis/poolwait"
	"github.com/soaklab/soak/engine/capture"
)

// A pool of 4 sampled every 2 s: all acquired with 30 acquires waiting
// between the first two samples, then busy at its max without a wait.
func ExampleIntervals() {
	t0 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	pts := []capture.Point{
		{Time: t0, Pools: []capture.PoolPoint{{Name: "db", Max: 4, Total: 4, Acquired: 2}}},
		{Time: t0.Add(2 * time.Second), Pools: []capture.PoolPoint{{Name: "db", Max: 4, Total: 4, Acquired: 4, EmptyAcquire: 30}}},
		{Time: t0.Add(4 * time.Second), Pools: []capture.PoolPoint{{Name: "db", Max: 4, Total: 4, Acquired: 4, EmptyAcquire: 30}}},
	}
	for _, iv := range poolwait.Intervals(pts, "db") {
		fmt.Println(iv.DT, iv.Empty, iv.Exhausted())
	}
	fmt.Println(poolwait.Exhausted(pts, "db"))
	// Output:
	// 2s 30 true
	// 2s 0 false
	// 2s
}

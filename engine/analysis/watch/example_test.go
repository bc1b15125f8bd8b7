package watch_test

import (
	"fmt"
	"time"

	"github.com/soaklab/soak/engine/analysis/watch"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/probe"
)

// A Watcher sees every sample as it arrives: here a probe that reports a
// connection held past its 30 s leak threshold on two polls in a row.
func ExampleWatcher() {
	w := watch.NewWatcher()
	t0 := time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC)
	for i := range 3 {
		snap := &probe.Snapshot{InstanceID: "svc-1", Time: t0.Add(time.Duration(i) * 2 * time.Second)}
		snap.Leaks.ThresholdSeconds = 30
		if i > 0 {
			snap.Leaks.Suspects = 1
		}
		s := &capture.Sample{Source: "svc-1", Time: snap.Time, Phase: capture.PhaseSteady, Snapshot: snap}
		for _, sig := range w.Observe(s) {
			fmt.Printf("poll %d: %s: %s\n", i, sig.Kind, sig.What)
		}
	}
	// Output:
	// poll 2: held-too-long: 1 held longer than the leak threshold (30s), on 2 polls in a row
}

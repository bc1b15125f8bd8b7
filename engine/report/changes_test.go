package report

import (
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
)

// A load changed mid-run (soak run --web) is in the configuration rows,
// with the run time of each change; a run without changes has no row.
func TestLoadChangesRow(t *testing.T) {
	start := time.Date(2026, 12, 6, 5, 0, 0, 0, time.UTC)
	res := &engine.Result{RunInfo: engine.RunInfo{Start: start, Model: "closed", Users: 5, Duration: 5 * time.Minute},
		End: start.Add(3 * time.Minute), Total: &engine.Interval{}, Intervals: []*engine.Interval{
			{Start: start, End: start.Add(time.Minute)},
			{Start: start.Add(80 * time.Second), End: start.Add(81 * time.Second), Changes: []engine.Change{{At: start.Add(80 * time.Second), Users: 50}}},
			{Start: start.Add(2 * time.Minute), End: start.Add(2*time.Minute + time.Second), Changes: []engine.Change{{At: start.Add(2 * time.Minute), Zero: true}}},
		}}
	find := func() string {
		for _, kv := range configurationRows(&analysis.Result{Engine: res}) {
			if kv.Key == "Load Changes" {
				return kv.Value
			}
		}
		return ""
	}
	want := "users changed to 50 at 1 minute 20 seconds; users changed to 0 at 2 minutes"
	if got := find(); got != want {
		t.Errorf("Load Changes %q, want %q", got, want)
	}
	res.Intervals = res.Intervals[:1]
	if got := find(); got != "" {
		t.Errorf("a run without changes has a Load Changes row: %q", got)
	}
}

package analysis

import (
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
)

// TestFleetNotes: a distributed run whose segments stopped counting says
// which, when, why and what share of the planned load is missing.
func TestFleetNotes(t *testing.T) {
	t0 := time.Date(2027, 1, 15, 8, 0, 0, 0, time.UTC)
	res := engine.NewResult(engine.RunInfo{Start: t0, Duration: 30 * time.Second, Interval: time.Second, Parts: []engine.Part{
		{Segment: "1/3", Engine: "a/1"},
		{Segment: "2/3", Engine: "b/2", Stopped: t0.Add(6 * time.Second), Why: "no interval 6 from it within 5s"},
		{Segment: "3/3", Stopped: t0, Why: "no worker took this segment before the start"},
	}}, nil, 0)
	notes := fleetNotes(res)
	if len(notes) != 3 {
		t.Fatalf("%d notes: %q", len(notes), notes)
	}
	for _, want := range []string{"Segment 2/3 (engine b/2, 33.3% of the plan's load) stopped counting at 08:00:06 UTC, 6s into the load: no interval 6",
		"26.7% of the planned load (its 33.3% for 24s of 30s) was not measured"} {
		if !strings.Contains(notes[0], want) {
			t.Errorf("note %q lacks %q", notes[0], want)
		}
	}
	if !strings.Contains(notes[1], "Segment 3/3 (no worker,") || !strings.Contains(notes[1], "33.3% of the planned load") {
		t.Errorf("note %q", notes[1])
	}
	if !strings.Contains(notes[2], "In all, 60.0% of the planned load is missing") {
		t.Errorf("note %q", notes[2])
	}
	res.Parts[1].Stopped, res.Parts[2].Stopped = time.Time{}, time.Time{}
	if n := fleetNotes(res); len(n) != 0 {
		t.Errorf("no loss, yet %q", n)
	}
}

package capture

import (
	"bytes"
	"testing"
	"time"

	"github.com/soaklab/soak/probe"
)

// A source whose probe answers with another instance id (the service was
// killed and started again) gets a second timeline from that answer on:
// points, first and last snapshots, polls and failures of each process
// apart, and the restart recorded with when the old one was last seen.
func TestTimelineSplitsAtRestart(t *testing.T) {
	var tl Timeline
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	add := func(s int, id string, heap uint64) {
		sm := &Sample{Source: "svc", Time: at(s), Phase: PhaseSteady}
		if id == "" {
			sm.Error = "connection refused"
		} else {
			sm.Snapshot = snap(heap, uint64(s), 10, uint64(s))
			sm.Snapshot.InstanceID = id
		}
		tl.Add(sm)
	}
	for s := 0; s < 10; s += 2 {
		add(s, "svc-1", 1000+uint64(s))
	}
	add(10, "", 0)
	add(12, "", 0)
	for s := 14; s < 20; s += 2 {
		add(s, "svc-2", 500)
	}
	if len(tl.Sources) != 2 {
		t.Fatalf("%d timelines, want one per instance", len(tl.Sources))
	}
	a, b := tl.Sources[0], tl.Sources[1]
	if a.Name != "svc" || a.Instance != "svc-1" || len(a.Points) != 5 || a.Polls != 7 || a.Failed != 2 {
		t.Errorf("first instance: %s %s, %d points, %d polls, %d failed", a.Name, a.Instance, len(a.Points), a.Polls, a.Failed)
	}
	if b.Name != "svc after restart 1" || b.Polled != "svc" || b.Restart != 1 || b.Instance != "svc-2" || len(b.Points) != 3 || b.Failed != 0 {
		t.Errorf("second instance: %+v", b)
	}
	if a.Last[PhaseSteady].Runtime.LiveHeapBytes != 1008 || b.First[PhaseSteady].Runtime.LiveHeapBytes != 500 {
		t.Error("the snapshots of the two processes are mixed")
	}
	want := Restart{Source: "svc", From: "svc", To: "svc after restart 1", FromInstance: "svc-1", ToInstance: "svc-2",
		LastSeen: at(8), FirstSeen: at(14), Phase: PhaseSteady}
	if len(tl.Restarts) != 1 || tl.Restarts[0] != want {
		t.Errorf("restarts %+v, want %+v", tl.Restarts, want)
	}
	if tl.Source("svc after restart 1") != b || tl.current("svc") != b {
		t.Error("lookups do not find the second instance")
	}

	c := &Capture{Timeline: tl, Profiles: []Profile{
		{Source: "svc", Kind: probe.ProfileHeap, Moment: MomentSteadyStart, Time: at(1)},
		{Source: "svc", Kind: probe.ProfileHeap, Moment: MomentSteadyEnd, Time: at(18)},
	}, Leaks: []LeakCapture{{Source: "svc", Moment: MomentDrainEnd, Time: at(19), Error: "x"}}}
	at2 := c.Attributed()
	if at2.Profiles[0].Source != "svc" || at2.Profiles[1].Source != "svc after restart 1" || at2.Leaks[0].Source != "svc after restart 1" {
		t.Errorf("attribution: %+v %+v", at2.Profiles, at2.Leaks)
	}
	if c.Profiles[1].Source != "svc" {
		t.Error("Attributed modified its input")
	}
	if same := (&Capture{}); same.Attributed() != same {
		t.Error("a capture without a restart is copied")
	}
}

// A capture cut short by a kill has the phases it reached: each started
// phase ends where the next started, the last at the last record, and a
// caller that knows the run went on longer can stretch it.
func TestReadCaptureClosesStartedPhases(t *testing.T) {
	tm := fourPhases()
	var b bytes.Buffer
	w := NewRecordWriter(&b)
	_ = w.PhaseStart(PhaseBaseline, tm[0].Start)
	_ = w.Sample(&Sample{Source: "svc", Time: tm[0].Start, Phase: PhaseBaseline, Snapshot: snap(1, 1, 1, 1)})
	_ = w.Phase(tm[0])
	_ = w.PhaseStart(PhaseWarmup, tm[1].Start)
	_ = w.PhaseStart(PhaseSteady, tm[2].Start)
	last := tm[2].Start.Add(100 * time.Second)
	for at := tm[2].Start; !at.After(last); at = at.Add(2 * time.Second) {
		_ = w.Sample(&Sample{Source: "svc", Time: at, Phase: PhaseSteady, Snapshot: snap(1, 1, 1, 1)})
	}
	c, err := ReadCapture(&b, "probe.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	want := Timing{tm[0], {PhaseWarmup, tm[1].Start, tm[2].Start}, {PhaseSteady, tm[2].Start, last}}
	if len(c.Timing) != 3 || c.Timing[1] != want[1] || c.Timing[2] != want[2] || !c.Cut {
		t.Fatalf("timing %+v (cut %v), want %+v", c.Timing, c.Cut, want)
	}
	c.ExtendCut(last.Add(time.Second))
	c.ExtendCut(last) // earlier: no change
	if !c.Timing[2].End.Equal(last.Add(time.Second)) {
		t.Errorf("ExtendCut: %v", c.Timing[2].End)
	}

	// A run that ended writes every span whole: nothing is inferred.
	b.Reset()
	for _, sp := range tm {
		_ = w.PhaseStart(sp.Phase, sp.Start)
		_ = w.Phase(sp)
	}
	c, err = ReadCapture(&b, "probe.jsonl")
	if err != nil || len(c.Timing) != 4 || c.Cut {
		t.Errorf("whole run: %v, %+v, cut %v", err, c.Timing, c.Cut)
	}
}

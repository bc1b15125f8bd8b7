package capture_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/probe"
)

// A RecordWriter appends the capture as it happens; ReadCapture rebuilds
// it, as `soak report DIR` does from probe.jsonl.
func ExampleReadCapture() {
	t0 := time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC)
	var file bytes.Buffer // probe.jsonl
	w := capture.NewRecordWriter(&file)
	for i := range 3 {
		snap := &probe.Snapshot{InstanceID: "svc"}
		snap.Runtime.Goroutines = int64(40 + i)
		_ = w.Sample(&capture.Sample{Source: "svc", Time: t0.Add(time.Duration(i) * 2 * time.Second), Phase: capture.PhaseBaseline, Snapshot: snap})
	}
	_ = w.Sample(&capture.Sample{Source: "svc", Time: t0.Add(6 * time.Second), Phase: capture.PhaseBaseline, Error: "timed out"})
	_ = w.Phase(capture.Span{Phase: capture.PhaseBaseline, Start: t0, End: t0.Add(7 * time.Second)})

	c, err := capture.ReadCapture(&file, "probe.jsonl")
	if err != nil {
		fmt.Println(err)
		return
	}
	src := c.Timeline.Source("svc")
	last, phase := src.Latest()
	fmt.Println(src.Polls, src.Failed, src.FirstError, last.Runtime.Goroutines, phase, c.Timing[0].Duration())
	// Output: 4 1 timed out 42 baseline 7s
}

func ExampleProfilePath() {
	fmt.Println(capture.ProfilePath("http://127.0.0.1:6060", probe.ProfileHeap, capture.MomentSteadyEnd))
	// Output: profiles/http___127.0.0.1_6060-heap-steady-end.pb.gz
}

// Timing tells which phase an instant of the run is in.
func ExampleTiming_At() {
	t0 := time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	tm := capture.Timing{{Phase: capture.PhaseBaseline, Start: at(0), End: at(6)}, {Phase: capture.PhaseWarmup, Start: at(6), End: at(26)},
		{Phase: capture.PhaseSteady, Start: at(26), End: at(326)}, {Phase: capture.PhaseDrain, Start: at(326), End: at(332)}}
	fmt.Println(tm.At(at(3)), tm.At(at(100)), tm.At(at(400)) == "", tm.Check())
	// Output: baseline steady true <nil>
}

// A source whose probe answers with another instance id restarted: its
// samples go to a second timeline, and the restart is recorded.
func ExampleTimeline_Add_restart() {
	t0 := time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC)
	var tl capture.Timeline
	for i, id := range []string{"svc-a", "svc-a", "", "svc-b"} {
		s := &capture.Sample{Source: "http://127.0.0.1:6061/", Time: t0.Add(time.Duration(i) * 2 * time.Second), Phase: capture.PhaseSteady}
		if id == "" {
			s.Error = "connection refused"
		} else {
			s.Snapshot = &probe.Snapshot{InstanceID: id}
		}
		tl.Add(s)
	}
	for _, s := range tl.Sources {
		fmt.Printf("%s: %s, %d polls\n", s.Name, s.Instance, s.Polls)
	}
	r := tl.Restarts[0]
	fmt.Println(r.FromInstance, "->", r.ToInstance, r.FirstSeen.Sub(r.LastSeen))
	// Output:
	// http://127.0.0.1:6061/: svc-a, 3 polls
	// http://127.0.0.1:6061/ after restart 1: svc-b, 1 polls
	// svc-a -> svc-b 4s
}

package capture

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/probe"
)

// t0 is when the test runs start.
var t0 = time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC)

// fourPhases is a run's timing: 6 s of baseline, 20 s of warm-up, 300 s
// of steady state and 6 s of drain, from t0.
func fourPhases() Timing {
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	return Timing{{PhaseBaseline, at(0), at(6)}, {PhaseWarmup, at(6), at(26)}, {PhaseSteady, at(26), at(326)}, {PhaseDrain, at(326), at(332)}}
}

// snap is a snapshot with a live heap, GC count, goroutines and requests.
func snap(heap, gc uint64, goroutines int64, requests uint64) *probe.Snapshot {
	s := &probe.Snapshot{InstanceID: "svc"}
	s.Runtime.LiveHeapBytes, s.Runtime.GCCycles, s.Runtime.Goroutines = heap, gc, goroutines
	s.HTTP.Routes = []probe.RouteSnapshot{{Method: "GET", Route: "/x", Requests: requests}}
	return s
}

func TestRecordRoundTrip(t *testing.T) {
	timing := fourPhases()
	var b bytes.Buffer
	w := NewRecordWriter(&b)
	cfg := &CaptureConfig{PollInterval: 2 * time.Second, Sources: []string{"svc"}, InProcess: []string{"svc"}, Command: "soak run"}
	env := &Environment{GoVersion: "go1.26.8", Cores: 2, Network: "loopback"}
	fail := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	fail(w.Config(cfg))
	fail(w.Environment(env))
	var n int
	for _, sp := range timing {
		for tm := sp.Start; tm.Before(sp.End); tm = tm.Add(2 * time.Second) {
			n++
			sm := &Sample{Source: "svc", Time: tm, Phase: sp.Phase, Snapshot: snap(uint64(n)*1000, uint64(n), 10, uint64(n))}
			if n == 3 {
				sm = &Sample{Source: "svc", Time: tm, Phase: sp.Phase, Error: "timed out"}
			}
			fail(w.Sample(sm))
		}
		fail(w.Phase(sp))
	}
	fail(w.Leaks(&LeakCapture{Source: "svc", Moment: MomentDrainEnd, Report: &probe.LeakReport{Groups: []probe.LeakGroup{{Kind: probe.LeakPGXConn, Count: 2}}}}))
	fail(w.Profile(&Profile{Source: "svc", Kind: probe.ProfileHeap, Moment: MomentSteadyEnd, Path: "profiles/svc-heap-steady-end.pb.gz"}))

	c, err := ReadCapture(&b, "probe.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	st := c.Timeline.Source("svc")
	if st == nil || st.Polls != n || st.Failed != 1 || st.FirstError != "timed out" || len(st.Points) != n-1 {
		t.Fatalf("timeline %+v", st)
	}
	if len(c.Timing) != 4 || c.Timing[2].Phase != PhaseSteady || !c.Timing[2].Start.Equal(timing[2].Start) {
		t.Errorf("timing %+v", c.Timing)
	}
	if c.Config.Command != "soak run" || c.Environment.Cores != 2 || len(c.Leaks) != 1 || c.Leaks[0].Report.Groups[0].Count != 2 {
		t.Errorf("config %+v, env %+v, leaks %+v", c.Config, c.Environment, c.Leaks)
	}
	if len(c.Profiles) != 1 || c.Profiles[0].Data != nil {
		t.Fatalf("profiles %+v", c.Profiles)
	}
	dir := t.TempDir()
	if err := c.LoadProfiles(dir); err == nil || c.Profiles[0].Error == "" {
		t.Errorf("missing profile file: %v, %+v", err, c.Profiles[0])
	}
	c.Profiles[0].Error = ""
	p := filepath.Join(dir, "profiles", "svc-heap-steady-end.pb.gz")
	fail(os.MkdirAll(filepath.Dir(p), 0o755))
	fail(os.WriteFile(p, []byte("pprof"), 0o644))
	if err := c.LoadProfiles(dir); err != nil || string(c.Profiles[0].Data) != "pprof" {
		t.Errorf("LoadProfiles: %v, %q", err, c.Profiles[0].Data)
	}
}

func TestReadCaptureErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"type":"sample","sample":{"time":"2026-01-01T00:00:00Z","phase":"steady","error":"x"}}`, "probe.jsonl:1: sample: no source"},
		{"\n" + `{"type":"sample","sample":{"source":"a","phase":"lunch","error":"x"}}`, "probe.jsonl:2: sample: unknown phase"},
		{`{"type":"sample","sample":{"source":"a","phase":"steady"}}`, "neither snapshot nor error"},
		{`{"type":"phase","span":{"phase":"drain","start":"2026-01-01T00:00:10Z","end":"2026-01-01T00:00:00Z"}}`, "ends before it starts"},
		{`{"type":"weather"}`, `type "weather": unknown`},
		{`{"type":"sample","sample":`, "probe.jsonl:1: unexpected end of JSON input"},
		{`{"type":"leaks","leaks":{"source":"a"}}`, "neither report nor error"},
		{`{"type":"phase-start","span":{"phase":"nap","start":"2026-01-01T00:00:10Z"}}`, "phase-start: unknown phase"},
		{`{"type":"phase-start","span":{"phase":"steady","start":"2026-01-01T00:00:10Z"}}` + "\n" +
			`{"type":"phase-start","span":{"phase":"drain","start":"2026-01-01T00:00:00Z"}}`, "probe.jsonl:2: phase-start (drain): starts before steady"},
	}
	for _, c := range cases {
		_, err := ReadCapture(strings.NewReader(c.in), "probe.jsonl")
		if err == nil || !errors.Is(err, ErrRecord) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got %v\nwant %q", c.in, err, c.want)
		}
	}
}

func TestLoadProfilesRefusesPathsOutside(t *testing.T) {
	c := &Capture{Profiles: []Profile{{Path: "../../etc/passwd"}, {Path: "/etc/passwd"}}}
	if err := c.LoadProfiles(t.TempDir()); err == nil || c.Profiles[0].Data != nil || c.Profiles[1].Data != nil {
		t.Fatalf("read outside the directory: %v", err)
	}
}

func FuzzReadCapture(f *testing.F) {
	var b bytes.Buffer
	w := NewRecordWriter(&b)
	_ = w.Sample(&Sample{Source: "svc", Time: t0, Phase: PhaseBaseline, Snapshot: snap(1, 1, 1, 1)})
	_ = w.Phase(fourPhases()[0])
	_ = w.PhaseStart(PhaseWarmup, fourPhases()[1].Start)
	_ = w.Leaks(&LeakCapture{Source: "svc", Moment: MomentDrainEnd, Error: "x"})
	_ = w.Warning(&Warning{Kind: WarnHeld, Source: "svc", Where: "main.leak", Time: t0, EndedRun: true})
	f.Add(b.Bytes())
	f.Add([]byte(`{"type":"config","config":{"poll_interval_ns":1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadCapture(bytes.NewReader(data), "f")
		if err != nil && !errors.Is(err, ErrRecord) {
			t.Fatalf("error not ErrRecord: %v", err)
		}
		if c == nil {
			t.Fatal("nil capture")
		}
		if err := c.Timing.Check(); err != nil {
			t.Fatalf("accepted bad timing: %v", err)
		}
		seen := map[string]bool{}
		for _, x := range c.Warnings {
			if x.Kind == "" || x.Where == "" || seen[x.Key()] {
				t.Fatalf("accepted a warning without kind or where, or twice: %+v", c.Warnings)
			}
			seen[x.Key()] = true
			_ = x.String()
		}
	})
}

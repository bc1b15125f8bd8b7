package analysis

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

func TestRecordRoundTrip(t *testing.T) {
	s := newSynth()
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
	for _, sp := range s.c.Timing {
		for tm := sp.Start; tm.Before(sp.End); tm = tm.Add(s.every) {
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
	fail(w.Profile(&Profile{Source: "svc", Kind: ProfileHeap, Moment: MomentSteadyEnd, Path: "profiles/svc-heap-steady-end.pb.gz"}))

	c, err := ReadCapture(&b, "probe.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	st := c.Timeline.Source("svc")
	if st == nil || st.Polls != n || st.Failed != 1 || st.FirstError != "timed out" || len(st.Points) != n-1 {
		t.Fatalf("timeline %+v", st)
	}
	if len(c.Timing) != 4 || c.Timing[2].Phase != PhaseSteady || !c.Timing[2].Start.Equal(s.c.Timing[2].Start) {
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
	s := newSynth()
	var b bytes.Buffer
	w := NewRecordWriter(&b)
	_ = w.Sample(&Sample{Source: "svc", Time: s.t0, Phase: PhaseBaseline, Snapshot: snap(1, 1, 1, 1)})
	_ = w.Phase(s.c.Timing[0])
	_ = w.Leaks(&LeakCapture{Source: "svc", Moment: MomentDrainEnd, Error: "x"})
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
	})
}

package analysis

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/synth"
	"github.com/soaklab/soak/probe"
)

// goroutineProfile builds a goroutine profile (pprof proto) of stacks,
// each innermost first, with its goroutine count.
func goroutineProfile(t *testing.T, stacks map[int64][]string) []byte {
	t.Helper()
	var samples []profSample
	for n, names := range stacks {
		samples = append(samples, profSample{n: n, stack: names})
	}
	return goroutineProfileOf(t, samples)
}

// profSample is n goroutines in stack (innermost first) with pprof
// labels.
type profSample struct {
	n      int64
	stack  []string
	labels map[string][]string
}

func goroutineProfileOf(t *testing.T, samples []profSample) []byte {
	t.Helper()
	p := &profile.Profile{SampleType: []*profile.ValueType{{Type: "goroutine", Unit: "count"}},
		PeriodType: &profile.ValueType{Type: "goroutine", Unit: "count"}, Period: 1}
	fns := map[string]*profile.Function{}
	for _, sm := range samples {
		var locs []*profile.Location
		for i, name := range sm.stack {
			fn := fns[name]
			if fn == nil {
				fn = &profile.Function{ID: uint64(len(fns) + 1), Name: name, Filename: "/src/" + name + ".go"}
				fns[name] = fn
				p.Function = append(p.Function, fn)
			}
			loc := &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: fn, Line: int64(10 + i)}}}
			p.Location = append(p.Location, loc)
			locs = append(locs, loc)
		}
		p.Sample = append(p.Sample, &profile.Sample{Location: locs, Value: []int64{sm.n}, Label: sm.labels})
	}
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestPoolSuspectsNameWhatHoldersDo(t *testing.T) {
	const search, list = "example.com/svc.(*Store).search", "example.com/svc.(*Store).list"
	prof := goroutineProfile(t, map[int64][]string{
		// Holding a connection, ranking results: the bug.
		3: {"runtime.gopark", "runtime.selectgo", "example.com/svc.rankResults", search, "net/http.HandlerFunc.ServeHTTP"},
		// Waiting for a connection.
		20: {"runtime.gopark", "golang.org/x/sync/semaphore.(*Weighted).Acquire", "github.com/jackc/puddle/v2.(*Pool[...]).acquire",
			"github.com/jackc/pgx/v5/pgxpool.(*Pool).Acquire", search},
		// Running a query.
		1: {"internal/poll.(*FD).Read", "net.(*conn).Read", "github.com/jackc/pgx/v5/pgconn.(*PgConn).receiveMessage", list},
	})
	s := synth.New()
	s.AddSamples(synth.PoolSeries(0, 400))
	s.AddIntervals(synth.SlowWhile(0, 400))
	for _, m := range []capture.Moment{capture.MomentSteadyMid, capture.MomentSteadyEnd} {
		s.Capture.Profiles = append(s.Capture.Profiles, capture.Profile{Source: "svc", Kind: probe.ProfileGoroutine, Moment: m, Data: prof, Path: "profiles/g-" + string(m) + ".pb.gz"})
		s.Capture.Leaks = append(s.Capture.Leaks, capture.LeakCapture{Source: "svc", Moment: m, Report: &probe.LeakReport{Groups: []probe.LeakGroup{
			{Kind: probe.LeakPGXConn, Source: "db", Count: 3, Function: search},
			{Kind: probe.LeakPGXConn, Source: "db", Count: 1, Function: list},
		}}})
	}
	f := analyze(s).Find(DetectorPoolExhaustion, "svc")
	if f.Verdict != VerdictDetected || len(f.Suspects) != 2 {
		t.Fatalf("%s", describeFinding(f))
	}
	top := f.Suspects[0]
	if top.Function != "example.com/svc.rankResults" || top.Value != 6 || top.Unit != "goroutines" || top.Line != 12 ||
		top.Profile != "profiles/g-steady-end.pb.gz" || !strings.Contains(top.Detail, "Store).search acquired") {
		t.Errorf("top suspect %+v", top)
	}
	if f.Suspects[1].Function != list || f.Suspects[1].Value != 2 {
		t.Errorf("second suspect %+v", f.Suspects[1])
	}
	if !strings.Contains(f.NextStep, "example.com/svc.rankResults (/src/example.com/svc.rankResults.go:12) runs with a pool connection held") {
		t.Errorf("next step %q", f.NextStep)
	}
}

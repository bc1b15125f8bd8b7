package analysis

import (
	"bytes"
	"fmt"
	"math"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/soaklab/soak/engine/analysis/pprofsite"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/synth"
	"github.com/soaklab/soak/probe"
)

// heapProfile is a synthetic heap profile: in-use bytes by stack, each
// stack "innermost;caller;..." of functions in file svc/<n>.go.
func heapProfile(stacks map[string]int64) []byte {
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "alloc_objects", Unit: "count"}, {Type: "alloc_space", Unit: "bytes"},
			{Type: "inuse_objects", Unit: "count"}, {Type: "inuse_space", Unit: "bytes"}},
		PeriodType: &profile.ValueType{Type: "space", Unit: "bytes"}, Period: 512 << 10,
	}
	fns := map[string]*profile.Function{}
	locs := map[string]*profile.Location{}
	keys := make([]string, 0, len(stacks))
	for k := range stacks {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		var sl []*profile.Location
		for _, name := range strings.Split(k, ";") {
			loc := locs[name]
			if loc == nil {
				fn := fns[name]
				if fn == nil {
					fn = &profile.Function{ID: uint64(len(fns) + 1), Name: name, Filename: "svc/" + fmt.Sprint(len(fns)) + ".go"}
					fns[name] = fn
					p.Function = append(p.Function, fn)
				}
				loc = &profile.Location{ID: uint64(len(locs) + 1), Line: []profile.Line{{Function: fn, Line: 10}}}
				locs[name] = loc
				p.Location = append(p.Location, loc)
			}
			sl = append(sl, loc)
		}
		v := stacks[k]
		p.Sample = append(p.Sample, &profile.Sample{Location: sl, Value: []int64{v / 1024, v, v / 1024, v}})
	}
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// addHeapProfiles adds heap profiles of synth.Source at the steady
// state's start, 8 times during it, at its end and at the drain's end,
// from stacks(t) at t seconds after the load started.
func addHeapProfiles(s *synth.Run, stacks func(t float64) map[string]int64) {
	steady, _ := s.Capture.Timing.Span(capture.PhaseSteady)
	drain, _ := s.Capture.Timing.Span(capture.PhaseDrain)
	add := func(m capture.Moment, at time.Time) {
		s.Capture.Profiles = append(s.Capture.Profiles, capture.Profile{Source: synth.Source, Kind: probe.ProfileHeap, Moment: m, Time: at,
			Path: capture.ProfilePath(synth.Source, probe.ProfileHeap, m), Data: heapProfile(stacks(at.Sub(s.Start).Seconds()))})
	}
	add(capture.MomentSteadyStart, steady.Start)
	for i := 1; i <= capture.MaxSteadyHeaps; i++ {
		add(capture.SteadyHeapMoment(i), steady.Start.Add(steady.Duration()*time.Duration(i)/time.Duration(capture.MaxSteadyHeaps+1)))
	}
	add(capture.MomentSteadyEnd, steady.End.Add(-2*time.Second))
	add(capture.MomentDrainEnd, drain.End)
}

const (
	leakFn  = "example.com/svc.(*api).rememberVisit"
	cacheFn = "example.com/svc.(*pageCache).put"
	probeFn = "github.com/soaklab/soak/probe.writeJSON"
)

// A real leak beside a declared cache that fills for 60 % of the steady
// state and holds more bytes: the leak's site is suspect #1, the cache's
// is set apart, and soak's probe's own growth is no suspect.
func TestMemoryLeakSiteFirstBesideCache(t *testing.T) {
	s := synth.New()
	const leak = 20e3 // bytes/s: 6 MB over the steady state
	shape := cacheShape{base: 20 * mbf, perEntry: 2300, payload: 1600, capacity: 5000, declareCapacity: true,
		fill: linearFill(5000, 20, 180), leak: leak, noise: 0.5 * mbf, seed: 2}
	s.AddSamples(shape.samples())
	s.AddIntervals(synth.SteadyLoad)
	addHeapProfiles(s, func(t float64) map[string]int64 {
		return map[string]int64{
			cacheFn + ";example.com/svc.(*api).story":                 int64(2300 * math.Floor(shape.fill(t))),
			leakFn + ";example.com/svc.(*api).story":                  int64(leak/2*max(t, 0)) + 1<<20,
			leakFn + ";example.com/svc.(*api).shelves":                int64(leak/2*max(t, 0)) + 1<<20, // another caller: the same line
			probeFn + ";github.com/soaklab/soak/probe.(*Probe).serve": int64(15e3*max(t, 0)) + 1<<20,
			"example.com/svc.init":                                    4 << 20,
		}
	})
	f := analyze(s).Find(DetectorMemoryLeak, "svc")
	if f.Verdict != VerdictDetected {
		t.Fatalf("%s", describeFinding(f))
	}
	if len(f.Suspects) < 2 || f.Suspects[0].Function != leakFn || f.Suspects[1].Function != cacheFn {
		t.Fatalf("suspects:\n%s", describeFinding(f))
	}
	if !strings.Contains(f.Suspects[0].Detail, "still growing") ||
		!(strings.Contains(f.Suspects[1].Detail, "follows the declared cache") || strings.Contains(f.Suspects[1].Detail, "then flat")) {
		t.Errorf("details: %q / %q", f.Suspects[0].Detail, f.Suspects[1].Detail)
	}
	// The cache's site grew more than the leak's, but ranks second.
	if f.Suspects[1].Value <= f.Suspects[0].Value {
		t.Errorf("the test's cache grew %d, the leak %d: not the case this test is about", f.Suspects[1].Value, f.Suspects[0].Value)
	}
	for _, sp := range f.Suspects {
		if strings.HasPrefix(sp.Function, "github.com/soaklab/soak/probe") {
			t.Errorf("soak's probe among the service's suspects: %s", sp.Location())
		}
	}
	if ev := strings.Join(f.Evidence, " "); !strings.Contains(ev, "soak's own probe") || !strings.Contains(ev, "ranked by their own trend over the 10 heap profiles") {
		t.Errorf("evidence: %s", ev)
	}
}

// Without steady-state profiles between its ends, the ranking says it
// is by growth only.
func TestMemorySitesWithoutTrend(t *testing.T) {
	s := synth.New()
	s.AddSamples(synth.GCHeap(func(t float64) float64 { return 20*mbf + 30e3*max(t, 0) }, 0.5*mbf, 1))
	s.AddIntervals(synth.SteadyLoad)
	addHeapProfiles(s, func(t float64) map[string]int64 {
		return map[string]int64{leakFn: int64(30e3 * max(t, 0))}
	})
	var kept []capture.Profile
	for _, p := range s.Capture.Profiles {
		if !strings.HasPrefix(string(p.Moment), "steady-0") {
			kept = append(kept, p)
		}
	}
	s.Capture.Profiles = kept
	f := analyze(s).Find(DetectorMemoryLeak, "svc")
	if f.Verdict != VerdictDetected || len(f.Suspects) != 1 || f.Suspects[0].Function != leakFn ||
		!strings.Contains(strings.Join(f.Evidence, " "), "ranked by growth only: 2 heap profiles") {
		t.Fatalf("%s", describeFinding(f))
	}
}

func TestMergeSuspects(t *testing.T) {
	a := Suspect{Function: "svc.blockForever", File: "svc/a.go", Line: 10, Value: 3, Unit: "goroutines", Share: 0.3, Detail: "blocked forever"}
	b := a
	b.Value, b.Share = 5, 0.5
	b.Stack = []probe.Frame{{Function: "svc.blockForever"}, {Function: "svc.caller2"}}
	other := Suspect{Function: "svc.other", File: "svc/b.go", Line: 4, Value: 2, Unit: "goroutines", Share: 0.2}
	got := mergeSuspects([]Suspect{a, other, b})
	if len(got) != 2 || got[0].Value != 8 || math.Abs(got[0].Share-0.8) > 1e-9 || len(got[0].Stack) != 2 ||
		!strings.Contains(got[0].Detail, "2 stacks through this frame, summed") || got[1].Function != "svc.other" {
		t.Fatalf("%+v", got)
	}
}

// retained and bounded are the real allocations of
// TestSiteTrendsRealProfiles: one that keeps growing, one that stops.
var retained, bounded [][]byte

//go:noinline
func growForever(n int) {
	for range n {
		retained = append(retained, make([]byte, 4096))
	}
}

//go:noinline
func fillBounded(n, capacity int) {
	for range n {
		if len(bounded) < capacity {
			bounded = append(bounded, make([]byte, 4096))
		}
	}
}

// TestSiteTrendsRealProfiles trends real heap profiles of this process
// (runtime/pprof, parsed with github.com/google/pprof/profile): the site
// that keeps allocating is still growing, the one that filled its bound
// early is flat, and the still-growing one ranks first though it holds
// less.
func TestSiteTrendsRealProfiles(t *testing.T) {
	old := runtime.MemProfileRate
	runtime.MemProfileRate = 4096
	t.Cleanup(func() { runtime.MemProfileRate = old; retained, bounded = nil, nil })
	var profs []*capture.Profile
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for step := range 10 {
		growForever(200)          // 800 KB a step
		fillBounded(1000, 3*1000) // 4 MB a step until 12 MB, then nothing
		runtime.GC()
		runtime.GC() // the profile shows the heap as of the last GC cycle
		var b bytes.Buffer
		if err := pprof.Lookup("heap").WriteTo(&b, 0); err != nil {
			t.Fatal(err)
		}
		profs = append(profs, &capture.Profile{Kind: probe.ProfileHeap, Time: t0.Add(time.Duration(step) * 30 * time.Second), Data: b.Bytes()})
	}
	growth, _, err := pprofsite.HeapGrowth(profs[0].Data, profs[len(profs)-1].Data, 0)
	sus := suspectsOf(growth)
	if err != nil {
		t.Fatal(err)
	}
	var want []pprofsite.Site
	idx := map[string]int{}
	for i, sp := range sus {
		want = append(want, pprofsite.Site{Function: sp.Function, File: sp.File, Line: sp.Line})
		idx[sp.Function[strings.LastIndex(sp.Function, ".")+1:]] = i
	}
	gi, ok1 := idx["growForever"]
	bi, ok2 := idx["fillBounded"]
	if !ok1 || !ok2 {
		t.Fatalf("sites %v", idx)
	}
	trends, why := siteTrends(profs, nil, want, nil)
	if trends == nil {
		t.Fatal(why)
	}
	if c := trends[want[gi]]; c.Class != pprofsite.Growing {
		t.Errorf("growForever: %s", c.Words)
	}
	if c := trends[want[bi]]; c.Class != pprofsite.Plateaued {
		t.Errorf("fillBounded: %s", c.Words)
	}
	rankByTrend(sus, trends)
	if !strings.HasSuffix(sus[0].Function, "growForever") {
		t.Errorf("first suspect %s: %s", sus[0].Function, sus[0].Detail)
	}
}

// FuzzSiteTrends: unreadable or odd profiles among the steady state's
// never panic the per-site trend; each trend has a class.
func FuzzSiteTrends(f *testing.F) {
	good := heapProfile(map[string]int64{leakFn: 1 << 20, probeFn: 4096})
	f.Add(good, []byte("garbage"))
	f.Add(good, good)
	f.Fuzz(func(t *testing.T, a, b []byte) {
		t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		var profs []*capture.Profile
		for i, d := range [][]byte{a, b, a, b, a} {
			profs = append(profs, &capture.Profile{Kind: probe.ProfileHeap, Time: t0.Add(time.Duration(i) * time.Second), Data: d})
		}
		want := []pprofsite.Site{{Function: leakFn, File: "svc/0.go", Line: 10}}
		trends, why := siteTrends(profs, []string{"pgx pool db 1 to 2 connections"}, want, func(time.Time) float64 { return 0.5 })
		if trends == nil && why == "" {
			t.Fatal("no trend and no reason")
		}
		for _, tr := range trends {
			if tr.Class < pprofsite.Growing || tr.Class > pprofsite.Plateaued || tr.Words == "" {
				t.Fatalf("trend %+v", tr)
			}
		}
	})
}

// A cache the service does not declare fills early, as an LRU or a ring
// of recent requests does, and makes the whole steady state's slope: the
// heap's second half grows at a fraction of it, a plateau by the heap
// alone. Beside it a leak grows at an even rate, above the bar: the heap
// profiles of the steady state show its site still growing while the
// cache's flattened, and the finding is a leak beside the fill, the
// leak's site first. A cache still approaching its bound (its fill
// slowing as its misses do) leaves the heap's second half above the bar
// too, but no site grows at an even rate: a plateau. (An unseen service
// soak read before: a 24 MB ring filled in 60 s beside 100 B kept per
// request, called "a plateau, such as a bounded cache filling".)
func TestMemoryLeakBesideUndeclaredFill(t *testing.T) {
	const steady = 150.0 // seconds, from 20 s into the load
	linear := func(t float64) float64 { return 24 * mbf * min(max(t-20, 0)/60, 1) }
	approach := func(t float64) float64 { return 24 * mbf * (1 - math.Exp(-max(t-20, 0)/25)) }
	for _, c := range []struct {
		name  string
		cache func(t float64) float64
		leak  float64 // bytes/s
		want  Verdict
		// flat: the heap's second half grows at under plateauRatio of the
		// whole (a plateau by the heap alone); else the heap alone tells.
		flat bool
	}{
		{"leak beside a ring that filled in 60 s", linear, 20e3, VerdictDetected, true},
		{"the ring alone", linear, 0, VerdictOK, true},
		{"a cache approaching its bound", approach, 0, VerdictOK, true},
		{"leak beside a cache approaching its bound", approach, 20e3, VerdictDetected, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := synth.New()
			s.SetPhases(20*time.Second, steady*time.Second)
			level := func(t float64) float64 { return 10*mbf + c.cache(t) + c.leak*max(t, 0) }
			s.AddSamples(synth.GCHeap(level, 0.3*mbf, 7))
			s.AddIntervals(synth.SteadyLoad)
			// The profiles sample: each site's bytes are off by up to 5 %.
			n := 0
			wobble := func(v float64) int64 {
				n++
				return int64(v * (1 + 0.05*math.Sin(float64(n)*2.3)))
			}
			addHeapProfiles(s, func(t float64) map[string]int64 {
				m := map[string]int64{cacheFn + ";example.com/svc.(*api).story": wobble(c.cache(t)), "example.com/svc.init": 10 << 20}
				if c.leak > 0 {
					m[leakFn+";example.com/svc.(*api).story"] = wobble(c.leak * max(t, 0))
				}
				return m
			})
			f := analyze(s).Find(DetectorMemoryLeak, "svc")
			mf := f.Memory
			if mf == nil || (mf.Late.Slope < plateauRatio*mf.PerSecond.Slope) != c.flat {
				t.Fatalf("the heap's second half against %.2f of the whole: not the case this test is about\n%s", plateauRatio, describeFinding(f))
			}
			// The heap's second half surely above the bar: where the heap
			// alone reads a plateau, only the sites tell.
			bar := math.Max(minLeakBytes, minLeakShare*float64(mf.InitialBytes)) / steady
			if above := mf.Late.Lo >= bar; above != (c.leak > 0 || c.name == "a cache approaching its bound") {
				t.Fatalf("the heap's second half above the bar: %v, its 95%% CI from %.0f B/s, the bar %.0f: not the case this test is about\n%s",
					above, mf.Late.Lo, bar, describeFinding(f))
			}
			if f.Verdict != c.want {
				t.Fatalf("verdict %s, want %s\n%s", f.Verdict, c.want, describeFinding(f))
			}
			if c.want == VerdictDetected && (len(f.Suspects) == 0 || f.Suspects[0].Function != leakFn ||
				c.flat && (!mf.LeakBesideFill || !strings.Contains(f.Summary, "a leak beside the fill") || !strings.Contains(f.Summary, leakFn))) {
				t.Errorf("the leak beside the fill:\n%s", describeFinding(f))
			}
			if c.want == VerdictOK && (!mf.Plateau || mf.LeakBesideFill) {
				t.Errorf("plateau %v, leak beside fill %v:\n%s", mf.Plateau, mf.LeakBesideFill, describeFinding(f))
			}
		})
	}
}

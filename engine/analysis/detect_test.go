package analysis

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/synth"
	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/label"
)

func TestMemoryDetector(t *testing.T) {
	const mbf = 1 << 20
	cases := []struct {
		name  string
		level func(t float64) float64
		want  Verdict
	}{
		// 10 KB per request at 100 requests/s: 3.4 GB/hour.
		{"linear leak", func(t float64) float64 { return 20*mbf + 1e6*max(t, 0) }, VerdictDetected},
		// A slow leak, 100 MB/hour, under GC noise of ±1 MB.
		{"slow leak under noise", func(t float64) float64 { return 20*mbf + 100*mbf/3600*max(t, 0) }, VerdictDetected},
		// A bounded cache filling for 90 s, then full.
		{"plateau", func(t float64) float64 { return 20*mbf + 30*mbf*math.Min(max(t, 0), 90)/90 }, VerdictOK},
		// Flat with GC sawtooth noise.
		{"sawtooth", func(float64) float64 { return 20 * mbf }, VerdictOK},
		// A cache keyed by a finite key space, never evicting: each
		// request adds a key not seen before with a probability that
		// falls as the cache fills, so the heap nears its bound
		// exponentially (time constant 450 s, longer than the steady
		// state). Slowing down, not a leak: inconclusive.
		{"finite key space", func(t float64) float64 { return 20*mbf + 40*mbf*(1-math.Exp(-max(t, 0)/450)) }, VerdictInconclusive},
		// A leak of 200 MB/hour beside a cache that filled in the first
		// minute: the growth slowed once, then went on at an even rate.
		{"leak beside an early cache", func(t float64) float64 {
			return 20*mbf + 15*mbf*math.Min(max(t, 0)/60, 1) + 200*mbf/3600*max(t, 0)
		}, VerdictDetected},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := synth.New()
			s.AddSamples(synth.GCHeap(c.level, 1*mbf, 7))
			s.AddIntervals(synth.SteadyLoad)
			f := analyze(s).Find(DetectorMemoryLeak, "svc")
			if f.Verdict != c.want {
				t.Fatalf("verdict %s, want %s\n%s", f.Verdict, c.want, describeFinding(f))
			}
			m := f.Memory
			if c.want == VerdictDetected {
				if m.MBPerHourLo <= 0 || m.PerRequest.Slope <= 0 || f.Confidence < 0.9 || f.Severity < SeverityHigh {
					t.Errorf("figures %+v, confidence %v", m, f.Confidence)
				}
				// No profiles were captured: the evidence says so.
				if !strings.Contains(strings.Join(f.Evidence, " "), "No heap profiles") {
					t.Errorf("evidence: %q", f.Evidence)
				}
			}
			if c.name == "plateau" && !m.Plateau {
				t.Errorf("plateau not recognised: %+v", m)
			}
		})
	}
}

// TestMemoryDetectorThroughputFalls: in a closed-loop soak a service
// that slows down serves fewer requests late in the run, and a leak per
// request then slows down in time. It is still a leak: per request it
// has not slowed. A cache of a finite key space slows down per request
// too, and stays inconclusive.
func TestMemoryDetectorThroughputFalls(t *testing.T) {
	const mbf = 1 << 20
	cases := []struct {
		name    string
		perReqs func(n float64) float64 // live heap (bytes) after n requests
		want    Verdict
	}{
		{"leak of 1 KB per request", func(n float64) float64 { return 20*mbf + 1000*n }, VerdictDetected},
		{"finite key space", func(n float64) float64 { return 20*mbf + 40*mbf*(1-math.Exp(-n/20000)) }, VerdictInconclusive},
	}
	// 100 requests/s falling evenly to 30/s by 280 s after the load's
	// start: the cumulative count at t seconds.
	served := func(t float64) float64 {
		t = max(t, 0)
		if t > 280 {
			return 100*280 - 280*280/8 + 30*(t-280)
		}
		return 100*t - t*t/8
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := synth.New()
			level := func(t float64) float64 { return c.perReqs(served(t)) }
			s.AddSamples(func(tm float64, ph capture.Phase) *probe.Snapshot {
				snap := synth.GCHeap(level, 0.5*mbf, 3)(tm, ph)
				snap.HTTP.Routes[0].Requests = uint64(served(tm))
				return snap
			})
			s.AddIntervals(synth.SteadyLoad)
			f := analyze(s).Find(DetectorMemoryLeak, "svc")
			if f.Verdict != c.want {
				t.Fatalf("verdict %s, want %s\n%s", f.Verdict, c.want, describeFinding(f))
			}
			if m := f.Memory; m.Late.Slope >= 0.8*m.Early.Slope {
				t.Errorf("the heap does not slow down in time (early %.0f B/s, late %.0f): the case tests nothing", m.Early.Slope, m.Late.Slope)
			}
		})
	}
}

func TestMemoryDetectorLinearLeakFigures(t *testing.T) {
	s := synth.New()
	s.AddSamples(synth.GCHeap(func(t float64) float64 { return 1e7 + 1000*max(t, 0) }, 0, 1))
	s.AddIntervals(synth.SteadyLoad)
	m := analyze(s).Find(DetectorMemoryLeak, "svc").Memory
	// 1,000 bytes/s exactly: 3.6 MB/hour (3.43 MiB), 10 bytes per request.
	if math.Abs(m.PerSecond.Slope-1000) > 1 || math.Abs(m.MBPerHour-3.6e6/(1<<20)) > 0.01 || math.Abs(m.PerRequest.Slope-10) > 0.1 {
		t.Errorf("slope %v B/s, %v MB/h, %v B/request", m.PerSecond.Slope, m.MBPerHour, m.PerRequest.Slope)
	}
}

func TestMemoryDetectorUnknown(t *testing.T) {
	s := synth.New()
	// One GC cycle in the whole run: the live heap never changes.
	s.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot { return synth.Snap(5e6, 3, 50, synth.RequestsAt(t)) })
	s.AddIntervals(synth.SteadyLoad)
	f := analyze(s).Find(DetectorMemoryLeak, "svc")
	if f.Verdict != VerdictUnknown || !strings.Contains(f.Unmeasured, "GC cycles") {
		t.Fatalf("%s", describeFinding(f))
	}
}

// goroutineSeries is goroutines = 40 + in-flight + extra(t) after the
// baseline, with in-flight requests varying.
func goroutineSeries(extra func(t float64, ph capture.Phase) int64) synth.SampleFunc {
	return func(t float64, ph capture.Phase) *probe.Snapshot {
		inflight := int64(0)
		if ph == capture.PhaseWarmup || ph == capture.PhaseSteady {
			inflight = int64(5 + 4*math.Sin(t))
		}
		base := int64(40)
		if ph != capture.PhaseBaseline {
			base = 40
		}
		s := synth.Snap(5e6, uint64(10+max(t, 0)), base+inflight+extra(t, ph), synth.RequestsAt(t))
		s.HTTP.InFlight = inflight
		return s
	}
}

func TestGoroutineDetector(t *testing.T) {
	cases := []struct {
		name  string
		extra func(t float64, ph capture.Phase) int64
		want  Verdict
	}{
		{"leak", func(t float64, ph capture.Phase) int64 { return int64(max(t, 0) / 3) }, VerdictDetected},
		{"load only", func(float64, capture.Phase) int64 { return 0 }, VerdictOK},
		// A worker pool started on the first request and kept.
		{"lazy pool", func(t float64, ph capture.Phase) int64 {
			if t > 40 {
				return 8
			}
			return 0
		}, VerdictOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := synth.New()
			s.AddSamples(goroutineSeries(c.extra))
			s.AddIntervals(synth.SteadyLoad)
			f := analyze(s).Find(DetectorGoroutineLeak, "svc")
			if f.Verdict != c.want {
				t.Fatalf("verdict %s, want %s\n%s", f.Verdict, c.want, describeFinding(f))
			}
			g := f.Goroutines
			if math.Abs(g.ArrivalRate-100) > 1 || math.Abs(g.ExpectedInFlight-0.2) > 0.01 {
				t.Errorf("Little's law: %v/s x %v = %v", g.ArrivalRate, g.ServerLatency, g.ExpectedInFlight)
			}
			if c.want == VerdictDetected && g.Residue < minGoroutineLeak {
				t.Errorf("residue %d", g.Residue)
			}
		})
	}
}

// TestGoroutineDetectorStacks: a stack is a leak by what it gained
// through the steady state. A worker pool started lazily in the warm-up
// (30 workers) that widens by a worker in each half of the steady state
// has 32 goroutines beyond the baseline, growing in both halves and
// staying after the drain, but gained 2: not a leak. A stack that gains
// 30 is one.
func TestGoroutineDetectorStacks(t *testing.T) {
	const worker = "example.com/svc.(*pool).work"
	cases := []struct {
		name   string
		counts [5]int64 // baseline end, steady start, mid, end, drain end
		want   Verdict
	}{
		{"lazy pool widening", [5]int64{0, 30, 31, 32, 32}, VerdictOK},
		{"leak", [5]int64{0, 5, 20, 35, 35}, VerdictDetected},
	}
	moments := []capture.Moment{capture.MomentBaselineEnd, capture.MomentSteadyStart, capture.MomentSteadyMid, capture.MomentSteadyEnd, capture.MomentDrainEnd}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := synth.New()
			// The aggregate count: the stack's, from its count at the
			// steady state's start, middle and end.
			s.AddSamples(goroutineSeries(func(t float64, ph capture.Phase) int64 {
				switch {
				case ph == capture.PhaseBaseline:
					return c.counts[0]
				case ph == capture.PhaseDrain:
					return c.counts[4]
				case t < 20+150:
					return c.counts[1] + (c.counts[2]-c.counts[1])*int64(max(t-20, 0))/150
				}
				return c.counts[2] + (c.counts[3]-c.counts[2])*int64(t-170)/150
			}))
			s.AddIntervals(synth.SteadyLoad)
			for i, m := range moments {
				prof := goroutineProfile(t, map[int64][]string{
					c.counts[i]: {"runtime.gopark", "runtime.chanrecv2", worker},
					40:          {"runtime.gopark", "net/http.(*conn).serve"},
				})
				s.Capture.Profiles = append(s.Capture.Profiles, capture.Profile{Source: "svc", Kind: probe.ProfileGoroutine, Moment: m, Data: prof})
			}
			f := analyze(s).Find(DetectorGoroutineLeak, "svc")
			if (f.Verdict == VerdictDetected) != (c.want == VerdictDetected) {
				t.Fatalf("verdict %s, want %s\n%s", f.Verdict, c.want, describeFinding(f))
			}
			g := f.Goroutines
			if g.Growing != c.counts[4]-c.counts[0] || g.GrowingSteady != c.counts[3]-c.counts[1] {
				t.Errorf("growing %d, in the steady state %d", g.Growing, g.GrowingSteady)
			}
		})
	}
}

// stackedGoroutines is a run whose goroutines beyond the load's are one
// stack's, counts[i] at each moment (baseline end, steady start, middle,
// end, drain end), growing linearly between them, with the labels of the
// requests that started them; 40 server connections beside them, gone
// after the drain.
func stackedGoroutines(t *testing.T, counts [5]int64, stack []string, labels map[string][]string) *synth.Run {
	s := synth.New()
	s.AddSamples(goroutineSeries(func(t float64, ph capture.Phase) int64 {
		switch {
		case ph == capture.PhaseBaseline:
			return counts[0]
		case ph == capture.PhaseDrain:
			return counts[4]
		case t < 20+150:
			return counts[1] + (counts[2]-counts[1])*int64(max(t-20, 0))/150
		}
		return counts[2] + (counts[3]-counts[2])*int64(t-170)/150
	}))
	s.AddIntervals(synth.SteadyLoad)
	moments := []capture.Moment{capture.MomentBaselineEnd, capture.MomentSteadyStart, capture.MomentSteadyMid, capture.MomentSteadyEnd, capture.MomentDrainEnd}
	for i, m := range moments {
		samples := []profSample{{n: counts[i], stack: stack, labels: labels}}
		if m != capture.MomentBaselineEnd && m != capture.MomentDrainEnd {
			samples = append(samples, profSample{n: 40, stack: []string{"runtime.gopark", "net/http.(*conn).serve"}})
		}
		s.Capture.Profiles = append(s.Capture.Profiles, capture.Profile{Source: "svc", Kind: probe.ProfileGoroutine, Moment: m, Data: goroutineProfileOf(t, samples)})
	}
	return s
}

// TestGoroutineDetectorBelowTheBar: a leak's three signs, only small (a
// count rising as fast in both halves, a stack that grew at every
// profile, goroutines left after the drain) are not a healthy run:
// inconclusive, with the soak that would decide. A pool that widened and
// stopped, one started late in a single step, and goroutines that all
// ended by the drain's end are not that.
func TestGoroutineDetectorBelowTheBar(t *testing.T) {
	const leaker = "example.com/svc.exportWithTimeout.func1"
	stack := []string{"runtime.gopark", "runtime.chansend1", leaker}
	cases := []struct {
		name   string
		counts [5]int64
		want   Verdict
	}{
		{"slow leak", [5]int64{0, 1, 4, 8, 8}, VerdictInconclusive},
		{"pool that widened, then stopped", [5]int64{0, 1, 7, 7, 7}, VerdictOK},
		{"slow growth, all ended by the drain's end", [5]int64{0, 1, 4, 8, 0}, VerdictWarning},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := analyze(stackedGoroutines(t, c.counts, stack, nil)).Find(DetectorGoroutineLeak, "svc")
			if f.Verdict != c.want {
				t.Fatalf("verdict %s, want %s\n%s", f.Verdict, c.want, describeFinding(f))
			}
			if c.want != VerdictInconclusive {
				return
			}
			for _, w := range []string{"gained in the steady state's second half about what they gained in its first (3, then 4)", "8 stayed after the drain", "8 of them waiting in " + leaker, "fewer than the 10"} {
				if !strings.Contains(f.Summary, w) {
					t.Errorf("summary lacks %q: %s", w, f.Summary)
				}
			}
			if !strings.Contains(f.NextStep, "steady state lasts at least") || !strings.Contains(f.NextStep, leaker) {
				t.Errorf("next step: %s", f.NextStep)
			}
		})
	}
}

// TestGoroutineDetectorRareSteps: a leak of rare events (an unseen
// service's export handler left a goroutine blocked after each of its rare
// timeouts) steps up a few times a minute; the second half of this
// measured run stepped 3 times and then stayed flat for 50 s, so its
// Theil-Sen slope is 0 and the trend alone does not rise in both halves.
// The stack that grew at every profile (3, 8, 11) and stayed after the
// drain says it does: a leak, as the 11 left after the drain are.
func TestGoroutineDetectorRareSteps(t *testing.T) {
	// Goroutines beyond the requests in flight, less 217, at the run's 87
	// steady-state samples (1.75 s apart, replayed here 2 s apart).
	measured := []int64{0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, -1, 1, 2, 1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5,
		5, 5, 5, 4, 7, 6, 6, 6, 6, 7, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 7, 8, 8, 8, 8, 8, 8, 8, 8, 9, 8}
	const leaker = "example.com/svc.export.func1"
	s := synth.New()
	s.SetPhases(20*time.Second, time.Duration(2*len(measured))*time.Second)
	s.AddSamples(goroutineSeries(func(t float64, ph capture.Phase) int64 {
		switch ph {
		case capture.PhaseBaseline:
			return 0
		case capture.PhaseDrain:
			return 11
		case capture.PhaseWarmup:
			return 3
		}
		return 3 + measured[min(max(int(t-20)/2, 0), len(measured)-1)]
	}))
	s.AddIntervals(synth.SteadyLoad)
	counts := [5]int64{0, 3, 8, 11, 11}
	moments := []capture.Moment{capture.MomentBaselineEnd, capture.MomentSteadyStart, capture.MomentSteadyMid, capture.MomentSteadyEnd, capture.MomentDrainEnd}
	for i, m := range moments {
		prof := goroutineProfile(t, map[int64][]string{counts[i]: {"runtime.gopark", "runtime.chansend1", leaker}})
		s.Capture.Profiles = append(s.Capture.Profiles, capture.Profile{Source: "svc", Kind: probe.ProfileGoroutine, Moment: m, Data: prof})
	}
	f := analyze(s).Find(DetectorGoroutineLeak, "svc")
	if f.Verdict != VerdictDetected || len(f.Suspects) == 0 || f.Suspects[0].Function != leaker {
		t.Fatalf("%s", describeFinding(f))
	}
}

// TestGoroutineDetectorLibraryOwner: a leak whose goroutines are net/http's
// client connection loops (a response Body never closed) is named by what
// the application left open and the route that started them, not by
// net/http's function alone.
func TestGoroutineDetectorLibraryOwner(t *testing.T) {
	labels := map[string][]string{label.PprofMethod: {"GET"}, label.PprofRoute: {"/api/export"}, label.PprofClass: {"Analyst"}}
	stack := []string{"runtime.gopark", "runtime.selectgo", "net/http.(*persistConn).writeLoop"}
	f := analyze(stackedGoroutines(t, [5]int64{0, 4, 14, 24, 24}, stack, labels)).Find(DetectorGoroutineLeak, "svc")
	if f.Verdict != VerdictDetected || len(f.Suspects) == 0 {
		t.Fatalf("%s", describeFinding(f))
	}
	for _, w := range []string{"net/http.(*persistConn).writeLoop", "Body is never closed", "started by GET /api/export (24"} {
		if !strings.Contains(f.Summary, w) {
			t.Errorf("summary lacks %q: %s", w, f.Summary)
		}
	}
	if !strings.Contains(f.NextStep, "resp.Body.Close()") || !strings.Contains(f.NextStep, "serving GET /api/export") {
		t.Errorf("next step: %s", f.NextStep)
	}
	if r := f.Suspects[0].Routes; len(r) != 1 || r[0].Route != "/api/export" || r[0].Count != 24 {
		t.Errorf("routes %+v", r)
	}
}

// TestGoroutineDetectorOutlivingRequests: a goroutine per request that
// ends on its own two minutes later (a timeout, a delayed cleanup) grows
// through a two-minute steady state as a leak does, but the drain sees
// it ending: inconclusive, not a leak. A leak's goroutines stay put
// through the drain.
func TestGoroutineDetectorOutlivingRequests(t *testing.T) {
	const end = 20 + 120 // the load's end, seconds after its start
	cases := []struct {
		name  string
		alive func(t float64) float64 // goroutines beyond the load's at t
		want  Verdict
	}{
		{"end on their own after 120 s", func(t float64) float64 { return max(0, min(t, end)-max(0, t-120)) }, VerdictInconclusive},
		{"leak", func(t float64) float64 { return min(max(t, 0), end) }, VerdictDetected},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := synth.New()
			s.Drain = 16 * time.Second // soak's drain goes on while goroutines fall, up to --drain
			s.SetPhases(20*time.Second, 120*time.Second)
			s.AddSamples(goroutineSeries(func(t float64, ph capture.Phase) int64 {
				if ph == capture.PhaseBaseline {
					return 0
				}
				return int64(c.alive(t))
			}))
			s.AddIntervals(synth.SteadyLoad)
			f := analyze(s).Find(DetectorGoroutineLeak, "svc")
			if f.Verdict != c.want {
				t.Fatalf("verdict %s, want %s\n%s", f.Verdict, c.want, describeFinding(f))
			}
			if g := f.Goroutines; g.Residue < minGoroutineLeak || !g.Unexplained.Rising() {
				t.Errorf("residue %d, trend %+v: the case tests nothing", g.Residue, g.Unexplained)
			}
		})
	}
}

func TestPoolDetector(t *testing.T) {
	t.Run("exhausted", func(t *testing.T) {
		s := synth.New()
		s.AddSamples(synth.PoolSeries(100, 250))
		s.AddIntervals(synth.SlowWhile(100, 250))
		f := analyze(s).Find(DetectorPoolExhaustion, "svc")
		if f.Verdict != VerdictDetected {
			t.Fatalf("%s", describeFinding(f))
		}
		p := f.Pools[0]
		if !p.Cleared || p.Correlation < 0.5 || p.P95Exhausted < 700e6 || p.P95Other > 10e6 || len(f.Events) != 1 {
			t.Errorf("figures %+v, events %v", p, f.Events)
		}
		if math.Abs(p.Exhausted.Seconds()-150) > 4 {
			t.Errorf("exhausted %v, want about 150s", p.Exhausted)
		}
	})
	// Requests queued when the load stopped still wait their turn early
	// in the drain: the backlog clearing, not the exhaustion staying.
	// Waits that go on to the drain's end do not clear.
	t.Run("backlog drains", func(t *testing.T) {
		for _, c := range []struct {
			waitsUntil float64 // seconds after the load's start (the drain is 320-326)
			cleared    bool
		}{{323, true}, {1e9, false}} {
			s := synth.New()
			s.AddSamples(synth.PoolSeries(100, c.waitsUntil))
			s.AddIntervals(synth.SlowWhile(100, 320))
			f := analyze(s).Find(DetectorPoolExhaustion, "svc")
			if f.Verdict != VerdictDetected || f.Pools[0].Cleared != c.cleared {
				t.Errorf("waits until %v s: cleared %v, want %v\n%s", c.waitsUntil, f.Pools[0].Cleared, c.cleared, describeFinding(f))
			}
		}
	})
	// A run that ended before its drain cannot say whether the pool
	// cleared: the finding says so rather than "did not clear".
	t.Run("no drain", func(t *testing.T) {
		s := synth.New()
		s.Capture.Timing = slices.DeleteFunc(s.Capture.Timing, func(sp capture.Span) bool { return sp.Phase == capture.PhaseDrain })
		s.AddSamples(synth.PoolSeries(100, 1e9))
		s.AddIntervals(synth.SlowWhile(100, 320))
		f := analyze(s).Find(DetectorPoolExhaustion, "svc")
		if f.Verdict != VerdictDetected || f.Pools[0].ClearChecked || !strings.Contains(f.Summary, "was not checked") || strings.Contains(f.Summary, "did not clear") {
			t.Errorf("no drain samples: %s", describeFinding(f))
		}
	})
	t.Run("never at max", func(t *testing.T) {
		s := synth.New()
		s.AddSamples(synth.PoolSeries(1e9, 1e9))
		s.AddIntervals(synth.SteadyLoad)
		if f := analyze(s).Find(DetectorPoolExhaustion, "svc"); f.Verdict != VerdictOK {
			t.Fatalf("%s", describeFinding(f))
		}
	})
	t.Run("brief burst", func(t *testing.T) {
		s := synth.New()
		s.AddSamples(synth.PoolSeries(100, 104))
		s.AddIntervals(synth.SteadyLoad)
		if f := analyze(s).Find(DetectorPoolExhaustion, "svc"); f.Verdict != VerdictOK {
			t.Fatalf("%s", describeFinding(f))
		}
	})
	t.Run("no pool", func(t *testing.T) {
		s := synth.New()
		s.AddSamples(synth.GCHeap(func(float64) float64 { return 5e6 }, 0, 1))
		s.AddIntervals(synth.SteadyLoad)
		if f := analyze(s).Find(DetectorPoolExhaustion, "svc"); f.Verdict != VerdictUnknown {
			t.Fatalf("%s", describeFinding(f))
		}
	})
}

func TestErrorRateDetector(t *testing.T) {
	cases := []struct {
		name  string
		fail  func(t float64) int64
		want  Verdict
		trend string
	}{
		{"rising", func(t float64) int64 { return int64(t / 40) }, VerdictDetected, "rising"},
		{"none", func(float64) int64 { return 0 }, VerdictOK, "stable"},
		{"steady 2%", func(float64) int64 { return 2 }, VerdictWarning, "stable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := synth.New()
			s.AddSamples(synth.GCHeap(func(float64) float64 { return 5e6 }, 0, 1))
			s.AddIntervals(func(t float64) (int64, int64, int64, int64) { return 100, c.fail(t), 0, 2000 })
			f := analyze(s).Find(DetectorErrorRate, "")
			if f.Verdict != c.want || f.Errors.Trend != c.trend {
				t.Fatalf("verdict %s trend %s, want %s %s\n%s", f.Verdict, f.Errors.Trend, c.want, c.trend, describeFinding(f))
			}
			if n := len(f.Errors.Windows); n != 3 {
				t.Fatalf("%d windows", n)
			}
			var req int64
			for _, w := range f.Errors.Windows {
				req += w.Requests
			}
			if req != f.Errors.Requests {
				t.Errorf("windows hold %d requests of %d", req, f.Errors.Requests)
			}
		})
	}
}

// TestGoroutineDetectorSlowing: a pool that starts workers on demand and
// keeps them widens fast at first and less and less (here 10 ln(1 +
// t/30) beyond 30 started in the warm-up: a warning; or in steps as
// stalls queue work, the last small: ok): not a leak. A leak per request grows as fast in
// both halves per request served, even when throughput halves (so in
// time it slows); a leak beside a pool that widened early still grows
// by the leak bar in the second half: both are leaks.
func TestGoroutineDetectorSlowing(t *testing.T) {
	const steady0 = 20.0 // the steady state's start, seconds into the load
	pool := func(t float64) float64 {
		return 30 + 10*math.Log1p(max(t-steady0, 0)/30)
	}
	steps := func(t float64) float64 {
		n := 30.0
		for _, s := range []struct{ at, add float64 }{{60, 8}, {140, 6}, {260, 3}} {
			if t >= s.at {
				n += s.add
			}
		}
		return n
	}
	// requestsAt: 100/s, halving to 50/s from the steady state's middle.
	halving := func(t float64) float64 {
		if t < 170 {
			return 100 * max(t, 0)
		}
		return 17000 + 50*(t-170)
	}
	cases := []struct {
		name     string
		extra    func(t float64) float64 // goroutines beyond the load's, in the steady state and after
		requests func(t float64) float64
		want     Verdict
	}{
		{"pool widening as ln", pool, nil, VerdictWarning},
		// Steps: the last one small, the second half's trend is flat.
		{"pool widening in steps", steps, nil, VerdictOK},
		{"leak per request, throughput halving", func(t float64) float64 { return halving(t) / 300 }, halving, VerdictDetected},
		{"leak beside an early pool", func(t float64) float64 { return pool(min(t, 50)) + max(t-steady0, 0)/12 }, nil, VerdictDetected},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := c.requests
			if req == nil {
				req = func(t float64) float64 { return 100 * max(t, 0) }
			}
			s := synth.New()
			s.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
				inflight := int64(0)
				if ph == capture.PhaseWarmup || ph == capture.PhaseSteady {
					inflight = int64(5 + 4*math.Sin(t))
				}
				extra := int64(0)
				if ph != capture.PhaseBaseline {
					extra = int64(c.extra(t))
				}
				if ph == capture.PhaseDrain {
					extra = int64(c.extra(float64(s.End.Sub(s.Start).Seconds())))
				}
				snap := synth.Snap(5e6, uint64(10+max(t, 0)), 40+inflight+extra, uint64(req(t)))
				snap.HTTP.InFlight = inflight
				return snap
			})
			s.AddIntervals(synth.SteadyLoad)
			f := analyze(s).Find(DetectorGoroutineLeak, "svc")
			g := f.Goroutines
			if f.Verdict != c.want {
				t.Fatalf("verdict %s, want %s (growth %.1f then %.1f, per request %v)\n%s", f.Verdict, c.want, g.EarlyGrowth, g.LateGrowth, g.PerRequest, describeFinding(f))
			}
			if c.want != VerdictOK && !g.PerRequest { // ok: the halves were not fitted
				t.Errorf("growth fitted against time, the probe counted requests")
			}
			if c.want == VerdictWarning && !strings.Contains(f.Summary, "a pool widening to what the load needs") {
				t.Errorf("summary: %s", f.Summary)
			}
		})
	}
}

package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/synth"
	"github.com/soaklab/soak/probe"
)

// cacheShape is a synthetic service: a live heap of base bytes, plus a
// bounded cache of capacity entries (0: undeclared or unbounded) whose
// entries are fill(t), each costing perEntry bytes of heap (the service
// reports payload bytes of each entry, less than that), plus a leak of
// leak bytes per second, under ±noise bytes of GC noise.
type cacheShape struct {
	base, perEntry, payload float64
	capacity                int64
	declareCapacity         bool
	fill                    func(t float64) float64
	leak, noise             float64
	seed                    uint64
}

func (c cacheShape) samples() synth.SampleFunc {
	r := rand.New(rand.NewPCG(c.seed, 9))
	return func(t float64, ph capture.Phase) *probe.Snapshot {
		gc := uint64(10 + max(t+30, 0)/2)
		e := math.Floor(c.fill(t))
		h := c.base + c.perEntry*e + c.leak*max(t, 0) + c.noise*(2*r.Float64()-1)
		s := synth.Snap(uint64(h), gc, 50, synth.RequestsAt(t))
		cs := probe.CacheSnapshot{Name: "pages", Kind: probe.CacheInProcess, Entries: int64(e), UsedBytes: int64(e * c.payload)}
		if c.declareCapacity {
			cs.CapacityEntries = c.capacity
		}
		s.Caches = []probe.CacheSnapshot{cs}
		return s
	}
}

// linearFill fills capacity entries evenly from the warm-up's start (t =
// -warm) to t = at, then stays full.
func linearFill(capacity int64, warm, at float64) func(float64) float64 {
	return func(t float64) float64 {
		return float64(capacity) * math.Min(max(t+warm, 0)/(at+warm), 1)
	}
}

const mbf = 1 << 20

// TestMemoryBoundedCacheFillingIsNotALeak: a declared cache of 5,000
// entries (about 11 MB full) filling evenly until 10 %, 50 %, 80 %, 95 %
// of the steady state, or still filling at its end (70 % full): never a
// leak; inconclusive only when it fills at 95 % or never. The same
// growth with no declared bound is a leak.
func TestMemoryBoundedCacheFillingIsNotALeak(t *testing.T) {
	steady, warm := 300.0, 20.0
	cases := []struct {
		name         string
		at           float64 // seconds into the steady state when full
		declare      bool
		inconclusive bool // allowed
		want         Verdict
	}{
		{"full at 10%", 0.10 * steady, true, false, VerdictOK},
		{"full at 50%", 0.50 * steady, true, false, VerdictOK},
		{"full at 80%", 0.80 * steady, true, false, VerdictOK},
		{"full at 95%", 0.95 * steady, true, true, VerdictOK},
		{"never full", steady / 0.7, true, true, VerdictOK},
		{"same growth, no bound declared", steady / 0.7, false, false, VerdictDetected},
	}
	for _, c := range cases {
		for seed := uint64(1); seed <= 5; seed++ {
			t.Run(fmt.Sprintf("%s/%d", c.name, seed), func(t *testing.T) {
				s := synth.New()
				shape := cacheShape{base: 20 * mbf, perEntry: 2300, payload: 1600, capacity: 5000, declareCapacity: c.declare,
					fill: linearFill(5000, warm, c.at), noise: 1 * mbf, seed: seed}
				s.AddSamples(shape.samples())
				s.AddIntervals(synth.SteadyLoad)
				f := analyze(s).Find(DetectorMemoryLeak, "svc")
				ok := f.Verdict == c.want || (c.inconclusive && f.Verdict == VerdictInconclusive)
				if !ok {
					t.Fatalf("verdict %s, want %s\n%s", f.Verdict, c.want, describeFinding(f))
				}
				if f.Verdict == VerdictInconclusive && (!strings.Contains(f.Summary, "reaches about") || f.Memory.Caches == nil) {
					t.Errorf("inconclusive without the projected bound: %s", f.Summary)
				}
				if c.declare && f.Verdict == VerdictOK && f.Memory.PerSecond.Rising() && !strings.Contains(f.Summary, "pages") && !strings.Contains(f.Summary, "declared caches") && !f.Memory.Plateau {
					t.Errorf("the cache is not named: %s", f.Summary)
				}
			})
		}
	}
}

// A cache still filling evenly at the end: inconclusive, with the heap
// when full (about 20 MB + 5,000 x 2,300 bytes) and the run that would
// decide (full at 429 s of steady state, plus a third).
func TestMemoryCacheInconclusiveProjects(t *testing.T) {
	s := synth.New()
	shape := cacheShape{base: 20 * mbf, perEntry: 2300, payload: 1600, capacity: 5000, declareCapacity: true,
		fill: linearFill(5000, 20, 300/0.7), noise: 0.2 * mbf, seed: 3}
	s.AddSamples(shape.samples())
	s.AddIntervals(synth.SteadyLoad)
	f := analyze(s).Find(DetectorMemoryLeak, "svc")
	if f.Verdict != VerdictInconclusive {
		t.Fatalf("%s", describeFinding(f))
	}
	cf := f.Memory.Caches
	want := 20*mbf + 5000*2300.0
	if math.Abs(float64(cf.ProjectedBytes)-want) > 0.05*want {
		t.Errorf("projected %d bytes, want about %.0f", cf.ProjectedBytes, want)
	}
	if cf.DecideAfter < 9*time.Minute || cf.DecideAfter > 12*time.Minute {
		t.Errorf("decide after %s", cf.DecideAfter)
	}
	if !strings.Contains(f.Summary, "would decide") || f.Confidence > 0.9 {
		t.Errorf("%s (confidence %v)", f.Summary, f.Confidence)
	}
}

// A real leak beside a cache that fills and stops: detected.
func TestMemoryLeakBesideCache(t *testing.T) {
	s := synth.New()
	shape := cacheShape{base: 20 * mbf, perEntry: 2300, payload: 1600, capacity: 5000, declareCapacity: true,
		fill: linearFill(5000, 20, 150), leak: 30e3, noise: 1 * mbf, seed: 5}
	s.AddSamples(shape.samples())
	s.AddIntervals(synth.SteadyLoad)
	f := analyze(s).Find(DetectorMemoryLeak, "svc")
	if f.Verdict != VerdictDetected || !f.Memory.CachesRemoved || f.Confidence < 0.9 {
		t.Fatalf("%s", describeFinding(f))
	}
}

// A leak beside a small cache that counts its bytes and fills evenly to
// the run's end: the fit cannot tell the cache's fill from time, but a
// cache of 5,000 entries of 100 bytes (at most 2 x 500 KB + 5,000 x 256
// bytes of heap) cannot hold the 9 MB the heap grew: detected, not
// inconclusive. Without the leak it stays no leak.
func TestMemoryLeakBesideSmallFillingCache(t *testing.T) {
	for _, c := range []struct {
		leak float64
		want Verdict
	}{{30e3, VerdictDetected}, {0, VerdictOK}} {
		s := synth.New()
		shape := cacheShape{base: 20 * mbf, perEntry: 300, payload: 100, capacity: 5000, declareCapacity: true,
			fill: linearFill(5000, 20, 300/0.7), leak: c.leak, noise: 0.2 * mbf, seed: 7}
		s.AddSamples(shape.samples())
		s.AddIntervals(synth.SteadyLoad)
		f := analyze(s).Find(DetectorMemoryLeak, "svc")
		if f.Verdict != c.want && !(c.want == VerdictOK && f.Verdict == VerdictInconclusive) {
			t.Errorf("leak %v B/s: %s", c.leak, describeFinding(f))
		}
	}
}

// TestProfilesExplainLeavesDeclaredCaches: the service's growth in the
// heap profiles, less what its declared bounded caches say they grew by,
// is what meets the leak bar (1 MB over this steady state): 1.1 MB at the
// service's sites of which a page cache grew 300 KB is below it; 2 MB is
// not, and neither is 1.1 MB without a cache.
func TestProfilesExplainLeavesDeclaredCaches(t *testing.T) {
	const bar = 1e6 // bytes over the steady state
	pages := &CacheFigures{Caches: []CacheFill{{Name: "story-pages", Unit: "bytes", Rise: 300e3}}}
	cases := []struct {
		name    string
		service int64
		caches  *CacheFigures
		want    bool
	}{
		{"cache filling beside", 1.1e6, pages, true},
		{"no cache", 1.1e6, nil, false},
		{"beyond the cache", 2e6, pages, false},
		{"a cache counting entries only", 1.1e6, &CacheFigures{Caches: []CacheFill{{Name: "lru", Unit: "entries", Rise: 3000}}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := &MemoryFigures{Steady: time.Minute, MBPerHour: 66, Caches: c.caches}
			f := &Finding{Detector: DetectorMemoryLeak}
			hd := &heapDiffResult{service: c.service}
			if got := profilesExplain(f, m, hd, bar/60); got != c.want {
				t.Fatalf("explained %v, want %v: %s", got, c.want, f.Summary)
			}
			if c.want && !strings.Contains(f.Summary, "less the 293.0 KB its declared bounded caches grew by") {
				t.Errorf("summary: %s", f.Summary)
			}
		})
	}
}

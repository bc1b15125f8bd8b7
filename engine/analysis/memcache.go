package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/soaklab/soak/engine/analysis/stats"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
	"github.com/soaklab/soak/probe"
)

// Cache-aware memory constants (see docs/report.md).
const (
	// maxFitCaches bounds the declared caches fitted as regressors (those
	// that grew most, relative to their bound).
	maxFitCaches = 3
	// minCacheGrowth: a declared cache counts as filling when its size
	// rose by at least this share of its bound over the steady state.
	minCacheGrowth = 0.01
	// fullShare: a cache at this share of its bound is full.
	fullShare = 0.98
	// explainedP: the caches explain the growth when the fit puts the
	// growth they leave below the leak bar with this probability;
	// leakP: it is a leak beside them when above it with this one.
	// Calling a leak needs more than clearing one, and either needs a
	// fit that resolves the growth the caches leave to better than the
	// bar (its standard error below it): a cache filling at an even rate
	// all through the run cannot be told from time (docs/report.md).
	explainedP = 0.8
	leakP      = 0.95
	// plateauCover: to tell a plateau from a leak, the steady state must
	// go on, after a cache is full, for this share of its length.
	plateauCover = 0.3
)

// CacheFill is a declared bounded cache's growth over the steady state,
// as the memory detector fitted it.
type CacheFill struct {
	Name string `json:"name"`
	// Unit is what was trended: "bytes" (the cache's UsedBytes) or
	// "entries". First and Last are its values at the steady state's
	// first and last GC cycles; Bound its declared bound in Unit
	// (MaxBytes, or CapacityEntries times the bytes per entry at the end;
	// CapacityEntries for entries).
	Unit        string  `json:"unit"`
	First, Last float64 `json:"-"`
	Bound       float64 `json:"bound"`
	// HeapPerUnit is the live heap the fit attributes to one unit (an
	// entry, or a byte the cache says it uses), 0 when not fitted.
	HeapPerUnit float64 `json:"heap_per_unit"`
	// FillPerSecond is the Theil-Sen rate of the cache's growth over the
	// steady state's second half, in Unit per second.
	FillPerSecond float64 `json:"fill_per_second"`
	// Rise and EntriesRise are how much the cache grew over the steady
	// state, in Unit and in entries.
	Rise, EntriesRise float64 `json:"-"`
}

// Bounds on the heap a cache that counts its bytes can hold beyond them:
// Go's maps, entry structs and headers roughly double the bytes a cache
// counts, plus a fixed cost per entry (generous: a map slot, a key, a
// list element and a header).
const (
	cacheHeapPerByte  = 2
	cacheHeapPerEntry = 256 // bytes
)

// mostHeap is the most live heap the cache's growth over the steady state
// can hold, in bytes; ok is false for a cache that counts only entries,
// whose size per entry soak cannot know.
func (c *CacheFill) mostHeap() (bytes float64, ok bool) {
	if c.Unit != "bytes" {
		return 0, false
	}
	return cacheHeapPerByte*max(c.Rise, 0) + cacheHeapPerEntry*max(c.EntriesRise, 0), true
}

// mostExplained is the most live heap growth the caches can hold, in
// bytes, when every cache counts its bytes.
func (cf *CacheFigures) mostExplained() (float64, bool) {
	var sum float64
	for i := range cf.Caches {
		b, ok := cf.Caches[i].mostHeap()
		if !ok {
			return 0, false
		}
		sum += b
	}
	return sum, true
}

// Full is the cache's share of its bound at the end, 0..1.
func (c *CacheFill) Full() float64 { return c.Last / c.Bound }

// CacheFigures is what the memory detector made of the declared bounded
// caches: the fit of the live heap on time and on their sizes, and the
// projection if growth is theirs.
type CacheFigures struct {
	Caches []CacheFill `json:"caches"`
	// Fitted is false when the fit could not tell the caches' growth
	// from growth with time (a cache that filled at an even rate all
	// through the steady state): Unexplained is then 0.
	Fitted bool `json:"fitted"`
	// Unexplained is the live heap's growth the caches do not explain,
	// in bytes per second, with its standard error (autocorrelation
	// accounted for).
	Unexplained   float64 `json:"unexplained_per_second"`
	UnexplainedSE float64 `json:"unexplained_se"`
	// ProjectedBytes is the live heap when every cache is full, if the
	// growth is theirs; DecideAfter the steady state that would show it
	// (each cache full, then flat for plateauCover of the run), 0 when a
	// cache stopped filling below its bound.
	ProjectedBytes int64         `json:"projected_bytes"`
	DecideAfter    time.Duration `json:"decide_after_ns"`
	// Rho is the fit's residual lag-1 autocorrelation (0..0.9).
	Rho float64 `json:"rho"`
	// Rest and RestLate are the Theil-Sen trends (bytes per second) of
	// the live heap with the caches' fitted part taken out, over the
	// steady state and its second half, when the caches left growth
	// clearly above the bar (MemoryFigures.CachesRemoved).
	Rest     stats.Trend `json:"rest"`
	RestLate stats.Trend `json:"rest_late"`
	// FullAt is when the last of the caches full at the end became full,
	// in seconds into the steady state (0 when none is full).
	FullAt float64 `json:"full_at_s,omitempty"`
}

// allFull reports whether every fitted cache is full.
func (cf *CacheFigures) allFull() bool {
	for i := range cf.Caches {
		if cf.Caches[i].Full() < fullShare {
			return false
		}
	}
	return true
}

// names is "story-pages (2,480 of 5,000 entries, 50% full)" for each cache.
func (cf *CacheFigures) names() string {
	var parts []string
	for _, c := range cf.Caches {
		what := fmt.Sprintf("%s of %s entries", human.Count(int64(c.Last)), human.Count(int64(c.Bound)))
		if c.Unit == "bytes" {
			what = fmt.Sprintf("%s of %s", human.Bytes(int64(c.Last)), human.Bytes(int64(c.Bound)))
		}
		parts = append(parts, fmt.Sprintf("%s (%s, %.0f%% full)", c.Name, what, 100*c.Full()))
	}
	return strings.Join(parts, ", ")
}

// boundedCaches returns the in-process caches of pts (one per GC cycle)
// declared with a bound that grew over them, at most maxFitCaches, with
// their series at each point.
func boundedCaches(pts []capture.Point) ([]CacheFill, [][]float64) {
	last := pts[len(pts)-1]
	type cand struct {
		fill   CacheFill
		series []float64
		rise   float64
	}
	var cands []cand
	for _, lc := range last.Caches {
		if lc.Kind == probe.CacheRedis || (lc.Capacity <= 0 && lc.MaxBytes <= 0) {
			continue // Redis holds its data outside this heap
		}
		c := CacheFill{Name: lc.Name, Unit: "entries", Bound: float64(lc.Capacity)}
		byBytes := lc.UsedBytes > 0
		if byBytes {
			c.Unit = "bytes"
			switch {
			case lc.MaxBytes > 0:
				c.Bound = float64(lc.MaxBytes)
			case lc.Entries > 0:
				c.Bound = float64(lc.Capacity) * float64(lc.UsedBytes) / float64(lc.Entries)
			}
		}
		if c.Bound <= 0 {
			continue
		}
		series := cacheSeries(pts, c)
		c.First, c.Last = series[0], series[len(series)-1]
		c.Rise = c.Last - slices.Min(series)
		if byBytes { // the entries' rise over the same steady state, measured the same way
			entries := cacheSeries(pts, CacheFill{Name: c.Name, Unit: "entries"})
			c.EntriesRise = entries[len(entries)-1] - slices.Min(entries)
		}
		rise := (slices.Max(series) - slices.Min(series)) / c.Bound
		if rise < minCacheGrowth {
			continue
		}
		cands = append(cands, cand{c, series, rise})
	}
	slices.SortStableFunc(cands, func(a, b cand) int { return cmp.Compare(b.rise, a.rise) })
	cands = cands[:min(len(cands), maxFitCaches)]
	fills, series := make([]CacheFill, len(cands)), make([][]float64, len(cands))
	for i, c := range cands {
		fills[i], series[i] = c.fill, c.series
	}
	return fills, series
}

// fitCaches fits the live heap ys at times xs (seconds) on time and the
// caches' series, and projects the heap when they are full.
func fitCaches(xs, ys []float64, fills []CacheFill, series [][]float64) *CacheFigures {
	cf := &CacheFigures{Caches: fills}
	n := len(xs)
	half := n / 2
	for i := range cf.Caches {
		cf.Caches[i].FillPerSecond = max(stats.TheilSen(xs[half:], series[i][half:]).Slope, 0)
	}
	// The fit is unconstrained: a cache's coefficient may come out
	// negative (noise, when the heap hardly depends on it, or a cache
	// filling in step with time); the growth it leaves and its standard
	// error are still those the data support. Only the heap per unit is
	// clamped at 0, for the words and the residual.
	fit, ok := stats.Regress(ys, append([][]float64{xs}, series...)...)
	if ok {
		cf.Fitted = true
		cf.Unexplained, cf.UnexplainedSE, cf.Rho = fit.Coef[0], fit.SE[0], fit.Rho
		for i := range cf.Caches {
			c := &cf.Caches[i]
			c.HeapPerUnit = max(fit.Coef[i+1], 0)
			// A cache filling in step with time takes any share of the
			// heap's growth in the fit; it cannot hold more than its
			// bytes allow.
			if most, ok := c.mostHeap(); ok && c.Rise > 0 {
				c.HeapPerUnit = min(c.HeapPerUnit, most/c.Rise)
			}
		}
	}
	// The projection says what the heap reaches if its growth is all the
	// caches': the growth (means of the first and last five points) over
	// the caches' growth, shared in proportion to it, times what is left
	// to fill.
	k := min(5, n)
	grown := mean(ys[n-k:]) - mean(ys[:k])
	var rise float64
	for i := range cf.Caches {
		rise += (mean(series[i][n-k:]) - mean(series[i][:k])) / cf.Caches[i].Bound
	}
	proj := mean(ys[n-k:])
	var wait float64 // seconds until the last cache is full
	for i := range cf.Caches {
		c := &cf.Caches[i]
		d := mean(series[i][n-k:]) - mean(series[i][:k])
		if rise > 0 && d > 0 && grown > 0 {
			proj += grown * (d / c.Bound / rise) / d * max(c.Bound-c.Last, 0)
		}
		if c.Full() < fullShare {
			if c.FillPerSecond > 0 {
				wait = max(wait, max(c.Bound-c.Last, 0)/c.FillPerSecond)
			} else {
				wait = math.Inf(1)
			}
		} else {
			// Full since the first point at its bound.
			for j, v := range series[i] {
				if v >= fullShare*c.Bound {
					cf.FullAt = max(cf.FullAt, xs[j])
					break
				}
			}
		}
	}
	cf.ProjectedBytes = int64(proj)
	if !math.IsInf(wait, 1) {
		full := max(xs[n-1]+wait, cf.FullAt)
		if full > 0 {
			cf.DecideAfter = time.Duration(full / (1 - plateauCover) * float64(time.Second)).Round(time.Second)
		}
	}
	return cf
}

// mean is the arithmetic mean of v.
func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// cacheVerdict decides the memory finding when declared bounded caches
// filled during the steady state (m.Caches set): growth they explain is
// not a leak; growth they do not explain is judged as any other; a fit
// that cannot tell them apart, with a cache still filling, is
// inconclusive. It reports false when the caches do not decide (the
// unexplained growth is clearly above the bar): the caller then judges
// the heap with the caches' part taken out.
func cacheVerdict(a *analyzer, f *Finding, m *MemoryFigures, material float64) bool {
	cf := m.Caches
	// Caches that count their bytes cannot hold more than those allow:
	// growth clearly beyond that is not theirs, however the fit shares it.
	if most, ok := cf.mostExplained(); ok && m.PerSecond.Lo*m.Steady.Seconds()-most > material*m.Steady.Seconds() {
		return false
	}
	// pBelow is the probability that the growth the caches leave is below
	// the leak bar, from the fit's estimate and standard error.
	pBelow := 0.5
	if cf.Fitted {
		pBelow = stats.NormalCDF((material - cf.Unexplained) / cf.UnexplainedSE)
	}
	switch {
	case cf.Fitted && pBelow >= explainedP && cf.UnexplainedSE < material:
		f.Verdict = VerdictOK
		f.Confidence = math.Min(maxConfidence, pBelow)
		f.Summary = fmt.Sprintf("the live heap grew %.1f MB/hour, and the declared bounded caches explain it: %s; what they leave is %.1f MB/hour (95%% CI %.1f to %.1f), below the leak bar (%.1f); if they fill, the heap reaches about %s: bounded growth, not a leak",
			m.MBPerHour, cf.names(), human.MiB(cf.Unexplained*3600), human.MiB((cf.Unexplained-z95*cf.UnexplainedSE)*3600),
			human.MiB((cf.Unexplained+z95*cf.UnexplainedSE)*3600), human.MiB(material*3600), human.Bytes(cf.ProjectedBytes))
		return true
	case cf.Fitted && 1-pBelow >= leakP && cf.UnexplainedSE < material:
		return false
	}
	// Before calling it inconclusive: the heap profiles may show the
	// service keeping less than the bar after the drain (the growth was
	// soak's generator's, in process).
	hd := a.heapDiff(f.Source, m)
	if profilesExplain(f, m, &hd, material) {
		return true
	}
	f.Verdict, f.Severity = VerdictInconclusive, SeverityMedium
	// An inconclusive finding's confidence is the probability that the
	// growth is a leak beyond the caches, as the fit puts it (0.5 when
	// the fit cannot tell the caches from time at all).
	f.Confidence = 1 - pBelow
	f.Summary = fmt.Sprintf("the live heap grew %.1f MB/hour while declared bounded caches filled: %s; this run cannot tell whether the heap stops when they are full or also grows with requests",
		m.MBPerHour, cf.names())
	if cf.Fitted {
		f.Summary += fmt.Sprintf(" (what they leave: %.1f MB/hour, 95%% CI %.1f to %.1f, against a leak bar of %.1f)",
			human.MiB(cf.Unexplained*3600), human.MiB((cf.Unexplained-z95*cf.UnexplainedSE)*3600),
			human.MiB((cf.Unexplained+z95*cf.UnexplainedSE)*3600), human.MiB(material*3600))
	}
	f.Summary += fmt.Sprintf("; if the growth is theirs, the heap reaches about %s", human.Bytes(cf.ProjectedBytes))
	if cf.DecideAfter > 0 {
		f.Summary += fmt.Sprintf("; a steady state of %s would decide (the caches full at their current rate, then %.0f%% of the run to see the heap flat)", human.Span(cf.DecideAfter), 100*plateauCover)
		f.NextStep = fmt.Sprintf("Run a steady state of at least %s, or fill the caches first (a warm-up that touches every key).", human.Span(cf.DecideAfter))
	} else {
		f.Summary += "; a cache stopped filling below its bound, so no run length can be projected"
	}
	next := f.NextStep
	hd.apply(f)
	if next != "" {
		f.NextStep = next
	}
	return true
}

// findCache is the in-process cache name in p, or nil.
func findCache(p *capture.Point, name string) *capture.CachePoint {
	for i := range p.Caches {
		if p.Caches[i].Name == name && p.Caches[i].Kind != probe.CacheRedis {
			return &p.Caches[i]
		}
	}
	return nil
}

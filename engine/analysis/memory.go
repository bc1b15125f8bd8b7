package analysis

import (
	"cmp"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/soaklab/soak/engine/analysis/stats"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
)

// Memory-leak decision constants (see docs/report.md).
const (
	// minLeakBytes and minLeakShare: growth over the steady state must
	// reach both (the interval's lower bound, projected over the steady
	// state) to be a leak: smaller growth is noise or a cache settling.
	minLeakBytes = 1 << 20
	minLeakShare = 0.05
	// plateauRatio: when the late half's slope is below this fraction of
	// the whole steady state's, the growth is flattening: a plateau.
	plateauRatio = 0.25
)

// DetectorMemoryLeak is the memory-leak detector's name.
const DetectorMemoryLeak Detector = "memory-leak"

// memoryLeak is the memory-leak detector.
type memoryLeak struct{}

func (memoryLeak) name() Detector { return DetectorMemoryLeak }

func (memoryLeak) perSource() bool { return true }

// detect trends the live heap after GC over the steady state, one point
// per GC cycle.
func (memoryLeak) detect(a *analyzer, s *capture.SourceTimeline) Finding {
	d := DetectorMemoryLeak
	steady, ok := a.c.Timing.Span(capture.PhaseSteady)
	if !ok {
		return unknown(d, s.Name, "no steady state in this run (the warm-up covered the whole load)")
	}
	pts := gcPoints(s.In(capture.PhaseSteady))
	m := &MemoryFigures{Steady: steady.Duration(), Points: len(pts)}
	fillMemoryLevels(m, s)
	if len(pts) < stats.MinPoints {
		f := unknown(d, s.Name, fmt.Sprintf("only %d GC cycles were seen in the %s steady state, %d are needed: run longer, or poll more often",
			len(pts), human.Span(steady.Duration()), stats.MinPoints))
		f.Memory = m
		return f
	}
	t0 := pts[0].Time
	xs, ys, reqs := make([]float64, len(pts)), make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		xs[i] = p.Time.Sub(t0).Seconds()
		ys[i] = float64(p.LiveHeapBytes)
		reqs[i] = float64(p.HTTPRequests)
	}
	if reqs[len(reqs)-1] <= reqs[0] { // no middleware: count the client's requests
		for i, p := range pts {
			reqs[i] = a.clientRequestsBefore(p.Time)
		}
	}
	if fills, series := boundedCaches(pts); len(fills) > 0 {
		m.Caches = fitCaches(xs, ys, fills, series)
	}
	secs := steady.Duration().Seconds()
	material := math.Max(minLeakBytes, minLeakShare*float64(m.InitialBytes)) / secs // bytes/s
	m.fitTrends(xs, ys, reqs)
	f := Finding{Detector: d, Source: s.Name, Memory: m}
	f.Evidence = memoryEvidence(m, material)
	if m.Caches == nil || !m.PerSecond.Rising() {
		judgeGrowth(a, &f, m, material, pts)
		return f
	}
	if cacheVerdict(a, &f, m, material) {
		return f
	}
	// The caches leave growth clearly above the bar: judge the heap with
	// their fitted part taken out; the figures shown stay the live
	// heap's, and the rest's trend is kept in m.Caches.
	raw := *m
	m.CachesRemoved = m.Caches.Fitted
	for _, c := range m.Caches.Caches {
		cs := cacheSeries(pts, c)
		for i := range ys {
			ys[i] -= c.HeapPerUnit * (cs[i] - cs[0])
		}
	}
	m.fitTrends(xs, ys, reqs)
	judgeGrowth(a, &f, m, material, pts)
	m.Caches.Rest, m.Caches.RestLate = m.PerSecond, m.Late
	m.PerSecond, m.PerRequest, m.Early, m.Late = raw.PerSecond, raw.PerRequest, raw.Early, raw.Late
	m.MBPerHour, m.MBPerHourLo, m.MBPerHourHi = raw.MBPerHour, raw.MBPerHourLo, raw.MBPerHourHi
	return f
}

// fitTrends fits the trends of the heap ys against time xs and requests
// reqs: over the whole steady state, its first half and its second.
func (m *MemoryFigures) fitTrends(xs, ys, reqs []float64) {
	m.PerSecond = stats.TheilSen(xs, ys)
	m.PerRequest = stats.TheilSen(reqs, ys)
	half := len(xs) / 2
	m.Early = stats.TheilSen(xs[:half+1], ys[:half+1])
	m.Late = stats.TheilSen(xs[half:], ys[half:])
	m.EarlyPerRequest = stats.TheilSen(reqs[:half+1], ys[:half+1])
	m.LatePerRequest = stats.TheilSen(reqs[half:], ys[half:])
	q, w := len(xs)/4, (len(xs)/4+len(xs))/2 // the last three quarters, halved
	m.lastQuarter = stats.TheilSen(xs[3*len(xs)/4:], ys[3*len(ys)/4:])
	m.settle = [2]stats.Trend{stats.TheilSen(xs[q:w+1], ys[q:w+1]), stats.TheilSen(xs[w:], ys[w:])}
	m.reqHalves = [2]float64{reqs[half] - reqs[0], reqs[len(reqs)-1] - reqs[half]}
	m.MBPerHour = human.MiB(m.PerSecond.Slope * 3600)
	m.MBPerHourLo, m.MBPerHourHi = human.MiB(m.PerSecond.Lo*3600), human.MiB(m.PerSecond.Hi*3600)
}

// cacheSeries is cache c's size (in c.Unit) at each point.
func cacheSeries(pts []capture.Point, c CacheFill) []float64 {
	out := make([]float64, len(pts))
	for i := range pts {
		out[i] = cacheSize(&pts[i], c)
	}
	return out
}

// cacheSize is cache c's size at point p, in c.Unit (0 when p lacks it).
func cacheSize(p *capture.Point, c CacheFill) float64 {
	pc := findCache(p, c.Name)
	switch {
	case pc == nil:
		return 0
	case c.Unit == "bytes":
		return float64(pc.UsedBytes)
	}
	return float64(pc.Entries)
}

// sdOf is the standard error of a Theil-Sen slope read from its 95 %
// interval.
func sdOf(t stats.Trend) float64 { return max((t.Hi-t.Lo)/(2*z95), 1e-12) }

// z95 is the two-sided 95 % normal quantile.
const z95 = 1.959963984540054

// judgeGrowth decides the memory finding from the heap's trends: a leak
// still grows at the end, above the bar; growth that flattens is a
// plateau; growth that slows down but has not stopped, or whose second
// half is too noisy to show, is inconclusive.
func judgeGrowth(a *analyzer, f *Finding, m *MemoryFigures, material float64, pts []capture.Point) {
	secs := m.Steady.Seconds()
	rising := m.PerSecond.Rising() && m.PerSecond.Lo >= material
	// A leak still grows at the end: the late half's own interval must
	// clear the bar too. Growth that flattens (a late slope well below the
	// whole one, or surely below the bar) is a plateau: a cache or pool
	// filling. A late half that is neither (its interval too wide to
	// tell) is not called a leak, and the words say why. A late half too
	// short to fit (few GC cycles) cannot show flattening, and the whole
	// steady state decides.
	lateFits := m.Late.N >= stats.MinPoints
	// The request axis tells a leak that follows the requests from a
	// cache filling when the throughput changes: a closed-loop soak of a
	// service that slows down serves fewer requests late, and a leak per
	// request then slows down in time but not per request. It is read
	// when each half served a fair share of the requests.
	served := m.reqHalves[0] + m.reqHalves[1]
	byReq := served > 0 && min(m.reqHalves[0], m.reqHalves[1]) >= minHalfShare*served &&
		m.EarlyPerRequest.N >= stats.MinPoints && m.LatePerRequest.N >= stats.MinPoints
	materialReq := 0.0 // the leak bar in bytes per request
	if byReq {
		materialReq = material * secs / served
	}
	m.Plateau = m.PerSecond.Rising() && lateFits && flattens(m.PerSecond, m.Late, material) &&
		(!byReq || flattens(m.PerRequest, m.LatePerRequest, materialReq))
	// A plateau of the whole heap can hide a leak beside a fill: a cache
	// that filled early makes the whole slope, and the late half's, surely
	// above the bar, is the leak's. It is one when the heap profiles of
	// the steady state show a service site still growing at an even rate
	// whose own late rate clears the bar: a cache still approaching its
	// bound slows down at its site, a leak does not.
	var fill heapDiffResult
	var even Suspect
	if m.Plateau && m.Late.Lo >= material {
		fill = a.heapDiff(f.Source, m)
		if sp, ok := fill.evenSite(material, material*secs); ok {
			m.Plateau, m.LeakBesideFill, even = false, true, sp
		}
	}
	lateUnclear := m.PerSecond.Rising() && lateFits && !m.Plateau && m.Late.Lo < material &&
		!(byReq && m.LatePerRequest.Lo >= materialReq)
	slowing := rising && lateFits && !m.Plateau && !m.LeakBesideFill && !lateUnclear && slowsDown(m.Early, m.Late) &&
		(!byReq || slowsDown(m.EarlyPerRequest, m.LatePerRequest)) && !settled(m.Early, m.Late, m.lastQuarter, m.settle)
	cached := ""
	if m.CachesRemoved {
		cached = ", once the declared caches' part is taken out,"
	}
	switch {
	case m.LeakBesideFill:
		f.Verdict, f.Severity = VerdictDetected, SeverityHigh
		f.Confidence = math.Min(maxConfidence, stats.NormalCDF((m.Late.Slope-material)/sdOf(m.Late)))
		limitSeverity(f, m.Late.Slope, pts)
		f.Summary = fmt.Sprintf("live heap%s grew %.1f MB/hour over the steady state's first half and flattened, as a cache filling does, but still grows %.1f MB/hour over its second (95%% CI %.1f to %.1f), and %s still grows at an even rate: a leak beside the fill",
			cached, human.MiB(m.Early.Slope*3600), human.MiB(m.Late.Slope*3600), human.MiB(m.Late.Lo*3600), human.MiB(m.Late.Hi*3600), even.Location())
		fill.apply(f)
	case rising && !m.Plateau && !lateUnclear && !slowing:
		hd := a.heapDiff(f.Source, m)
		if profilesExplain(f, m, &hd, material) {
			break
		}
		f.Verdict, f.Severity = VerdictDetected, SeverityHigh
		// The probability that the heap still grows faster than the bar
		// at the end: the late half's slope against the bar, in its
		// standard errors (the whole steady state's when the late half
		// is too short to fit).
		last := m.Late
		if !lateFits {
			last = m.PerSecond
		}
		p := stats.NormalCDF((last.Slope - material) / sdOf(last))
		if byReq && lateFits {
			p = max(p, stats.NormalCDF((m.LatePerRequest.Slope-materialReq)/sdOf(m.LatePerRequest)))
		}
		f.Confidence = math.Min(maxConfidence, p)
		limitSeverity(f, m.PerSecond.Slope, pts)
		f.Summary = fmt.Sprintf("live heap%s grows %.1f MB/hour (95%% CI %.1f to %.1f), %s per request, and still grows at the end: a leak",
			cached, m.MBPerHour, m.MBPerHourLo, m.MBPerHourHi, human.FractionalBytes(m.PerRequest.Slope))
		hd.apply(f)
	case m.Plateau:
		f.Verdict, f.Confidence = VerdictOK, 0.8
		f.Summary = fmt.Sprintf("live heap%s grew early in the steady state and flattened (%.1f MB/hour over the second half, against %.1f over the whole): a plateau, such as a bounded cache filling, not a leak",
			cached, human.MiB(m.Late.Slope*3600), m.MBPerHour)
	case slowing:
		hd := a.heapDiff(f.Source, m)
		if profilesExplain(f, m, &hd, material) {
			break
		}
		f.Verdict, f.Severity, f.Confidence = VerdictInconclusive, SeverityMedium, 0.5
		bound, decide := slowingBound(m, material)
		f.Summary = fmt.Sprintf("live heap%s grows %.1f MB/hour but slows down (%.1f MB/hour over the first half, %.1f over the second): it may be approaching a bound (about %s if it keeps slowing so) or be a leak; this run cannot tell, a steady state of %s would decide",
			cached, m.MBPerHour, human.MiB(m.Early.Slope*3600), human.MiB(m.Late.Slope*3600), human.Bytes(bound), human.Span(decide))
		hd.apply(f)
		f.NextStep = fmt.Sprintf("Run a steady state of at least %s; if the service has a bounded cache, declare it (probe CacheFunc) so its growth is told apart.", human.Span(decide))
	case rising && lateUnclear && m.Late.Slope >= material:
		if hd := a.heapDiff(f.Source, m); profilesExplain(f, m, &hd, material) {
			break
		}
		f.Verdict, f.Severity, f.Confidence = VerdictInconclusive, SeverityMedium, 0.5
		decide := 2 * m.Steady
		f.Summary = fmt.Sprintf("live heap%s rose %.1f MB/hour (95%% CI %.1f to %.1f), but the steady state's second half is too short or noisy to show it still rising (%.1f MB/hour, 95%% CI %.1f to %.1f): this run cannot tell a leak from a late plateau; a steady state of %s would decide",
			cached, m.MBPerHour, m.MBPerHourLo, m.MBPerHourHi, human.MiB(m.Late.Slope*3600), human.MiB(m.Late.Lo*3600), human.MiB(m.Late.Hi*3600), human.Span(decide))
		f.NextStep = fmt.Sprintf("Run a steady state of at least %s.", human.Span(decide))
	case rising && lateUnclear:
		f.Verdict, f.Confidence = VerdictOK, 0.6
		f.Summary = fmt.Sprintf("live heap%s rose %.1f MB/hour (95%% CI %.1f to %.1f), but the steady state's second half is too short or noisy to show it still rising (%.1f MB/hour, 95%% CI %.1f to %.1f, below the leak bar): not called a leak on this evidence; a longer soak would tell",
			cached, m.MBPerHour, m.MBPerHourLo, m.MBPerHourHi, human.MiB(m.Late.Slope*3600), human.MiB(m.Late.Lo*3600), human.MiB(m.Late.Hi*3600))
	case m.PerSecond.Rising():
		f.Verdict, f.Confidence = VerdictOK, 0.6
		f.Summary = fmt.Sprintf("live heap%s rose %.1f MB/hour (95%% CI %.1f to %.1f), but at the interval's low end that is %s over the %s steady state, below the leak bar (%s): not called a leak; a longer soak would tell",
			cached, m.MBPerHour, m.MBPerHourLo, m.MBPerHourHi, human.Bytes(int64(m.PerSecond.Lo*secs)), human.Span(m.Steady), human.Bytes(int64(material*secs)))
	default:
		f.Verdict = VerdictOK
		f.Confidence = 0.75
		if m.PerSecond.Hi < material {
			f.Confidence = 0.95
		}
		f.Summary = fmt.Sprintf("no sustained growth of the live heap%s (%.1f MB/hour, 95%% CI %.1f to %.1f)",
			strings.TrimSuffix(cached, ","), m.MBPerHour, m.MBPerHourLo, m.MBPerHourHi)
	}
}

// limitSeverity makes a leak growing rate bytes per second critical when
// it reaches the process's memory limit within 24 hours.
func limitSeverity(f *Finding, rate float64, pts []capture.Point) {
	if lim := pts[len(pts)-1].MemoryLimit; lim > 0 && rate*86400 > float64(lim)-float64(pts[len(pts)-1].RSSBytes) {
		f.Severity = SeverityCritical
		f.Evidence = append(f.Evidence, fmt.Sprintf("At this rate the process reaches its memory limit (%s) within 24 hours.", human.Bytes(lim)))
	}
}

// cachedBytes is how many bytes the declared bounded caches that report
// their size in bytes grew by over the steady state (0 without such a
// cache).
func cachedBytes(m *MemoryFigures) float64 {
	if m.Caches == nil {
		return 0
	}
	var sum float64
	for _, c := range m.Caches.Caches {
		if c.Unit == "bytes" && c.Rise > 0 {
			sum += c.Rise
		}
	}
	return sum
}

// profilesExplain sets an ok finding and reports true when the heap
// profiles show the service itself keeping less than the leak bar after
// the drain: the rest of the growth is soak's own (generator, probe) or
// the drivers' while their pools opened connections.
//
// The service's part leaves out what its declared bounded caches grew by
// over the steady state, in the bytes they report (cachedBytes): a cache
// filling toward its bound is not a leak here either, as in the trend's
// fit. (A soak whose steady state was short, on a loaded machine, had the
// service keeping 1.1 MB against a bar of 1.0 MB, of which the demo's
// declared page cache filling was a part.)
func profilesExplain(f *Finding, m *MemoryFigures, hd *heapDiffResult, material float64) bool {
	cached := cachedBytes(m)
	kept := max(float64(hd.service)-cached, 0)
	if hd.err != "" || kept >= material*m.Steady.Seconds() {
		return false
	}
	f.Verdict, f.Severity, f.Confidence = VerdictOK, SeverityNone, 0.8
	f.Summary = fmt.Sprintf("the live heap grew %.1f MB/hour, but the heap profiles show the service itself keeping only %s after the drain, below the leak bar",
		m.MBPerHour, human.Bytes(int64(kept)))
	if cached > 0 {
		f.Summary += fmt.Sprintf(" (%s at its sites, less the %s its declared bounded caches grew by)", human.Bytes(hd.service), human.Bytes(int64(cached)))
	}
	if why := hd.explanation(); why != "" {
		f.Summary += fmt.Sprintf("; %s of the growth is %s", human.Bytes(hd.generator+hd.drivers+hd.probe+hd.runtime), why)
	}
	f.Evidence = append(f.Evidence, hd.evidence)
	return true
}

// slowingRatio: a late-half slope below this share of the early half's
// (their intervals apart) is growth slowing down. minHalfShare: the
// request axis is read when each half of the steady state served at
// least this share of its requests.
const (
	slowingRatio = 0.8
	minHalfShare = 0.2
)

// flattens reports whether growth flattens in the late half: its slope
// below the whole one's, and under plateauRatio of it or surely below
// the bar (in the trends' units).
func flattens(whole, late stats.Trend, bar float64) bool {
	return late.Slope < whole.Slope && (late.Hi < bar || late.Slope < plateauRatio*whole.Slope)
}

// settled reports whether growth that slowed from the early half to the
// late one (by q = late/early) has stopped slowing, as growth does that
// goes on at an even rate after an early burst (a leak beside a cache
// that filled early). Were its rate falling exponentially instead, the
// last quarter's mean rate would be the late half's times 2s/(1+s), s =
// sqrt(q) (the mean of e^-kt over a quarter against over the half that
// holds it), and the two halves of the last three quarters (w) would
// differ by q^(3/4). Either rate above its prediction by 1.96 standard
// errors says the rate settled: the first for a burst that ended within
// the first half, the second, with more points, within the first
// quarter.
func settled(early, late, last stats.Trend, w [2]stats.Trend) bool {
	if early.Slope <= 0 || late.Slope <= 0 || late.Slope >= early.Slope {
		return false
	}
	s := math.Sqrt(late.Slope / early.Slope)
	above := func(got stats.Trend, base stats.Trend, r float64) bool {
		if got.N < stats.MinPoints || base.N < stats.MinPoints {
			return false
		}
		return (got.Slope-r*base.Slope)/math.Hypot(sdOf(got), r*sdOf(base)) > z95
	}
	return above(last, late, 2*s/(1+s)) || above(w[1], w[0], math.Pow(s, 1.5))
}

// slowsDown reports whether the late half's growth is surely slower than
// the early half's (their intervals apart) and well under it.
func slowsDown(early, late stats.Trend) bool {
	return early.N >= stats.MinPoints && late.N >= stats.MinPoints &&
		late.Hi < early.Lo && late.Slope < slowingRatio*early.Slope
}

// slowingBound projects growth that slows down geometrically (the late
// half's slope a fraction q of the early half's, over half the steady
// state): the heap it tends to, and the steady state by which its rate
// falls below the leak bar, with a third more to see it flat.
func slowingBound(m *MemoryFigures, material float64) (int64, time.Duration) {
	h := m.Steady.Seconds() / 2
	q := min(max(m.Late.Slope/m.Early.Slope, 1e-3), 0.999)
	tau := -h / math.Log(q) // seconds for the rate to fall by e
	end := m.Late.Slope * math.Sqrt(q)
	bound := float64(m.FinalBytes) + end*tau
	wait := 0.0
	if end > material {
		wait = tau * math.Log(end/material)
	}
	decide := time.Duration((m.Steady.Seconds() + wait) / (1 - plateauCover) * float64(time.Second)).Round(time.Second)
	return int64(bound), decide
}

// gcPoints keeps one point per GC cycle (the first point showing each
// new cycle), since the live heap only changes when a GC ends.
func gcPoints(pts []capture.Point) []capture.Point {
	var out []capture.Point
	for i, p := range pts {
		if p.LiveHeapBytes == 0 {
			continue
		}
		if len(out) == 0 || p.GCCycles != out[len(out)-1].GCCycles || (i > 0 && p.GCCycles == 0) {
			out = append(out, p)
		}
	}
	return out
}

// fillMemoryLevels sets the live heap at the phase boundaries and the
// peak RSS.
func fillMemoryLevels(m *MemoryFigures, s *capture.SourceTimeline) {
	if b := s.Last[capture.PhaseBaseline]; b != nil {
		m.BaselineBytes = b.Runtime.LiveHeapBytes
	}
	if b := s.First[capture.PhaseSteady]; b != nil {
		m.InitialBytes = b.Runtime.LiveHeapBytes
	}
	if b := s.Last[capture.PhaseSteady]; b != nil {
		m.FinalBytes = b.Runtime.LiveHeapBytes
	}
	if b := s.Last[capture.PhaseDrain]; b != nil {
		m.AfterDrainBytes = b.Runtime.LiveHeapBytes
	}
	m.GrowthBytes = int64(m.FinalBytes) - int64(m.InitialBytes)
	for _, p := range s.Points {
		m.PeakRSSBytes = max(m.PeakRSSBytes, p.RSSBytes)
	}
}

func memoryEvidence(m *MemoryFigures, material float64) []string {
	ev := []string{
		fmt.Sprintf("Live heap after GC: %s at baseline, %s at the start of the steady state, %s at its end (%+.1f MB over %s), %s after the drain.",
			human.Bytes(int64(m.BaselineBytes)), human.Bytes(int64(m.InitialBytes)), human.Bytes(int64(m.FinalBytes)),
			human.MiB(float64(m.GrowthBytes)), human.Span(m.Steady), human.Bytes(int64(m.AfterDrainBytes))),
		fmt.Sprintf("Theil-Sen slope over %d GC cycles: %.1f MB/hour (95%% CI %.1f to %.1f), %s per request (95%% CI %s to %s); second half: %.1f MB/hour.",
			m.Points, m.MBPerHour, m.MBPerHourLo, m.MBPerHourHi, human.FractionalBytes(m.PerRequest.Slope),
			human.FractionalBytes(m.PerRequest.Lo), human.FractionalBytes(m.PerRequest.Hi), human.MiB(m.Late.Slope*3600)),
	}
	if cf := m.Caches; cf != nil {
		line := "Declared bounded caches that filled in the steady state: " + cf.names() + "."
		if cf.Fitted {
			line += fmt.Sprintf(" Least-squares fit of the live heap on time and their sizes: growth they do not explain %.1f MB/hour (95%% CI %.1f to %.1f; residual autocorrelation %.2f accounted for), against a leak bar of %.1f MB/hour.",
				human.MiB(cf.Unexplained*3600), human.MiB((cf.Unexplained-z95*cf.UnexplainedSE)*3600), human.MiB((cf.Unexplained+z95*cf.UnexplainedSE)*3600),
				cf.Rho, human.MiB(material*3600))
		} else {
			line += " The fit could not tell their filling from growth with time."
		}
		ev = append(ev, line)
	}
	if m.PeakRSSBytes > 0 {
		ev = append(ev, fmt.Sprintf("Peak RSS %s (RSS includes garbage and freed pages not yet returned; the verdict uses the live heap).", human.Bytes(m.PeakRSSBytes)))
	}
	return ev
}

// clientRequestsBefore counts the requests the engine completed in the
// intervals that ended by t.
func (a *analyzer) clientRequestsBefore(t time.Time) float64 {
	var n int64
	for _, iv := range a.res.Intervals {
		if iv.End.After(t) {
			break
		}
		for i := range iv.Stats {
			n += iv.Stats[i].Requests
		}
	}
	return float64(n)
}

// EndsDisagree reports whether the end-to-end change (GrowthBytes over
// Steady) tells another story than the trend (PerSecond): as a rate it
// falls outside the trend's 95 % interval, and it goes another way (the
// heap ends lower on a rising trend, or higher on a flat one). A reader
// comparing the two figures needs to be told why.
func (m *MemoryFigures) EndsDisagree() bool {
	if m.Steady <= 0 || m.Points < stats.MinPoints {
		return false
	}
	rate := human.MiB(float64(m.GrowthBytes) / m.Steady.Seconds() * 3600)
	trend := 0
	switch {
	case m.PerSecond.Rising():
		trend = 1
	case m.PerSecond.Falling():
		trend = -1
	}
	ends := cmp.Compare(m.GrowthBytes, 0)
	return (rate < m.MBPerHourLo || rate > m.MBPerHourHi) && ends != trend
}

// MemoryFigures are the memory-leak detector's measurements for one
// source, over the steady state, from the live heap after GC.
type MemoryFigures struct {
	// Live heap after GC at the baseline's end, the steady state's
	// start and end, and the drain's end (after a forced GC in process).
	BaselineBytes   uint64 `json:"baseline_bytes"`
	InitialBytes    uint64 `json:"initial_bytes"`
	FinalBytes      uint64 `json:"final_bytes"`
	AfterDrainBytes uint64 `json:"after_drain_bytes"`
	// GrowthBytes is FinalBytes - InitialBytes (negative when it shrank).
	GrowthBytes  int64 `json:"growth_bytes"`
	PeakRSSBytes int64 `json:"peak_rss_bytes"`
	// Steady is the steady state's length; Points the distinct GC cycles
	// (one point per cycle) the trend was fitted to.
	Steady time.Duration `json:"steady_ns"`
	Points int           `json:"points"`
	// PerSecond is the Theil-Sen slope of the live heap against time, in
	// bytes per second, with its 95 % confidence interval; PerRequest
	// against requests served, in bytes per request; Early and Late the
	// slopes over the steady state's first and second halves, in bytes
	// per second (a plateau has a Late slope whose interval holds 0).
	PerSecond  stats.Trend `json:"per_second"`
	PerRequest stats.Trend `json:"per_request"`
	Early      stats.Trend `json:"early"`
	Late       stats.Trend `json:"late"`
	// EarlyPerRequest and LatePerRequest are the halves' slopes against
	// requests served, in bytes per request: a leak that follows the
	// requests keeps its per-request slope when the throughput falls,
	// and a cache filling slows down on both axes.
	EarlyPerRequest stats.Trend `json:"early_per_request"`
	LatePerRequest  stats.Trend `json:"late_per_request"`
	// settle are the slopes (bytes per second) over the two halves of
	// the steady state's last three quarters: growth that keeps slowing
	// down slows there too, growth that settled to an even rate after
	// an early burst (a leak beside a cache that filled early) does not.
	settle [2]stats.Trend
	// lastQuarter is the slope over the steady state's last quarter.
	lastQuarter stats.Trend
	// reqHalves are the requests served over each half.
	reqHalves [2]float64
	// MBPerHour projects PerSecond to an hour, in MiB (1 MB = 2^20 bytes,
	// as pprof counts), with the interval's bounds.
	MBPerHour   float64 `json:"mb_per_hour"`
	MBPerHourLo float64 `json:"mb_per_hour_lo"`
	MBPerHourHi float64 `json:"mb_per_hour_hi"`
	// Plateau is set when the heap grew early and stopped: a cache
	// filling, not a leak.
	Plateau bool `json:"plateau"`
	// LeakBesideFill is set when the whole heap flattened (a cache
	// filling early) but its second half still grew above the leak bar,
	// at a service site growing at an even rate: a leak beside the fill.
	LeakBesideFill bool `json:"leak_beside_fill,omitempty"`
	// Caches is the fit of the live heap on the declared bounded caches
	// that filled during the steady state (nil when none did).
	// CachesRemoved is set when the trends above are of the live heap
	// with the caches' fitted part taken out (the caches left growth
	// clearly above the leak bar).
	Caches        *CacheFigures `json:"caches,omitempty"`
	CachesRemoved bool          `json:"caches_removed,omitempty"`
}

package analysis

import (
	"cmp"
	"fmt"
	"math"
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
	m.PerSecond = stats.TheilSen(xs, ys)
	m.PerRequest = stats.TheilSen(reqs, ys)
	half := len(pts) / 2
	m.Late = stats.TheilSen(xs[half:], ys[half:])
	m.MBPerHour = human.MiB(m.PerSecond.Slope * 3600)
	m.MBPerHourLo, m.MBPerHourHi = human.MiB(m.PerSecond.Lo*3600), human.MiB(m.PerSecond.Hi*3600)

	secs := steady.Duration().Seconds()
	material := math.Max(minLeakBytes, minLeakShare*float64(m.InitialBytes)) / secs // bytes/s
	rising := m.PerSecond.Rising() && m.PerSecond.Lo >= material
	// A leak still grows at the end: the late half's own interval must
	// clear the bar too. Growth that flattens (a late slope well below the
	// whole one, or surely below the bar) is a plateau: a cache or pool
	// filling. A late half that is neither (its interval too wide to
	// tell) is not called a leak, and the words say why. A late half too
	// short to fit (few GC cycles) cannot show flattening, and the whole
	// steady state decides.
	lateFits := m.Late.N >= stats.MinPoints
	m.Plateau = m.PerSecond.Rising() && lateFits && m.Late.Slope < m.PerSecond.Slope &&
		(m.Late.Hi < material || m.Late.Slope < plateauRatio*m.PerSecond.Slope)
	lateUnclear := m.PerSecond.Rising() && lateFits && !m.Plateau && m.Late.Lo < material
	f := Finding{Detector: d, Source: s.Name, Memory: m}
	f.Evidence = memoryEvidence(m)
	switch {
	case rising && !m.Plateau && !lateUnclear:
		hd := a.heapDiff(s.Name)
		if hd.err == "" && float64(hd.service) < material*secs {
			f.Verdict, f.Confidence = VerdictOK, 0.8
			f.Summary = fmt.Sprintf("the live heap grew %.1f MB/hour, but the heap profiles show the service itself keeping only %s after the drain, below the leak bar",
				m.MBPerHour, human.Bytes(hd.service))
			if why := hd.explanation(); why != "" {
				f.Summary += fmt.Sprintf("; %s of the growth is %s", human.Bytes(hd.generator+hd.drivers), why)
			}
			f.Evidence = append(f.Evidence, hd.evidence)
			break
		}
		f.Verdict, f.Severity = VerdictDetected, SeverityHigh
		f.Confidence = math.Min(maxConfidence, 1-m.PerSecond.PRising)
		if lim := pts[len(pts)-1].MemoryLimit; lim > 0 && m.PerSecond.Slope*86400 > float64(lim)-float64(pts[len(pts)-1].RSSBytes) {
			f.Severity = SeverityCritical
			f.Evidence = append(f.Evidence, fmt.Sprintf("At this rate the process reaches its memory limit (%s) within 24 hours.", human.Bytes(lim)))
		}
		f.Summary = fmt.Sprintf("live heap grows %.1f MB/hour (95%% CI %.1f to %.1f), %s per request, and still grows at the end: a leak",
			m.MBPerHour, m.MBPerHourLo, m.MBPerHourHi, human.FractionalBytes(m.PerRequest.Slope))
		hd.apply(&f)
	case m.Plateau:
		f.Verdict, f.Confidence = VerdictOK, 0.8
		f.Summary = fmt.Sprintf("live heap grew early in the steady state and flattened (%.1f MB/hour over the second half, against %.1f over the whole): a plateau, such as a bounded cache filling, not a leak",
			human.MiB(m.Late.Slope*3600), m.MBPerHour)
	case rising && lateUnclear:
		f.Verdict, f.Confidence = VerdictOK, 0.5
		f.Summary = fmt.Sprintf("live heap rose %.1f MB/hour (95%% CI %.1f to %.1f), but the steady state's second half is too short or noisy to show it still rising (%.1f MB/hour, 95%% CI %.1f to %.1f): not called a leak on this evidence; a longer soak would tell",
			m.MBPerHour, m.MBPerHourLo, m.MBPerHourHi, human.MiB(m.Late.Slope*3600), human.MiB(m.Late.Lo*3600), human.MiB(m.Late.Hi*3600))
	case m.PerSecond.Rising():
		f.Verdict, f.Confidence = VerdictOK, 0.6
		f.Summary = fmt.Sprintf("live heap rose %.1f MB/hour (95%% CI %.1f to %.1f), but at the interval's low end that is %s over the %s steady state, below the leak bar (%s): not called a leak; a longer soak would tell",
			m.MBPerHour, m.MBPerHourLo, m.MBPerHourHi, human.Bytes(int64(m.PerSecond.Lo*secs)), human.Span(steady.Duration()), human.Bytes(int64(material*secs)))
	default:
		f.Verdict = VerdictOK
		f.Confidence = 0.75
		if m.PerSecond.Hi < material {
			f.Confidence = 0.95
		}
		f.Summary = fmt.Sprintf("no sustained growth of the live heap (%.1f MB/hour, 95%% CI %.1f to %.1f)",
			m.MBPerHour, m.MBPerHourLo, m.MBPerHourHi)
	}
	return f
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

func memoryEvidence(m *MemoryFigures) []string {
	ev := []string{
		fmt.Sprintf("Live heap after GC: %s at baseline, %s at the start of the steady state, %s at its end (%+.1f MB over %s), %s after the drain.",
			human.Bytes(int64(m.BaselineBytes)), human.Bytes(int64(m.InitialBytes)), human.Bytes(int64(m.FinalBytes)),
			human.MiB(float64(m.GrowthBytes)), human.Span(m.Steady), human.Bytes(int64(m.AfterDrainBytes))),
		fmt.Sprintf("Theil-Sen slope over %d GC cycles: %.1f MB/hour (95%% CI %.1f to %.1f), %s per request (95%% CI %s to %s); second half: %.1f MB/hour.",
			m.Points, m.MBPerHour, m.MBPerHourLo, m.MBPerHourHi, human.FractionalBytes(m.PerRequest.Slope),
			human.FractionalBytes(m.PerRequest.Lo), human.FractionalBytes(m.PerRequest.Hi), human.MiB(m.Late.Slope*3600)),
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
	// against requests served, in bytes per request; Late the slope over
	// the steady state's second half, in bytes per second (a plateau
	// has a Late slope whose interval holds 0).
	PerSecond  stats.Trend `json:"per_second"`
	PerRequest stats.Trend `json:"per_request"`
	Late       stats.Trend `json:"late"`
	// MBPerHour projects PerSecond to an hour, in MiB (1 MB = 2^20 bytes,
	// as pprof counts), with the interval's bounds.
	MBPerHour   float64 `json:"mb_per_hour"`
	MBPerHourLo float64 `json:"mb_per_hour_lo"`
	MBPerHourHi float64 `json:"mb_per_hour_hi"`
	// Plateau is set when the heap grew early and stopped: a cache
	// filling, not a leak.
	Plateau bool `json:"plateau"`
}

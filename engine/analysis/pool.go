package analysis

import (
	"fmt"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis/stats"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
	"github.com/soaklab/soak/probe"
)

// Pool-exhaustion decision constants (see docs/report.md).
const (
	// A pool exhausted (acquires waiting at its max) for at least
	// sustainedExhaustedShare of the steady state, or for at least
	// minExhaustedShare (and two poll intervals) with the client's p95
	// above its target in those intervals, is a detected exhaustion;
	// minExhaustedShare without the latency breach is a warning; less is
	// bursts.
	minExhaustedShare       = 0.05
	sustainedExhaustedShare = 0.2
	// poolHeadroom is the utilisation a recommended pool size aims at
	// (the seed's pool target).
	poolHeadroom = 0.8
)

// DetectorPoolExhaustion is the pool-exhaustion detector's name.
const DetectorPoolExhaustion Detector = "pool-exhaustion"

// poolExhaustion is the pool-exhaustion detector.
type poolExhaustion struct{}

func (poolExhaustion) name() Detector { return DetectorPoolExhaustion }

func (poolExhaustion) perSource() bool { return true }

// detect finds, for every pgx pool, the poll intervals of the steady
// state in which acquires waited with the pool at its max, the client
// latency in them, and whether it cleared after the load.
func (poolExhaustion) detect(a *analyzer, s *capture.SourceTimeline) Finding {
	d := DetectorPoolExhaustion
	steady, ok := a.c.Timing.Span(capture.PhaseSteady)
	if !ok {
		return unknown(d, s.Name, "no steady state in this run (the warm-up covered the whole load)")
	}
	pts := s.In(capture.PhaseSteady)
	if len(pts) < 2 {
		return unknown(d, s.Name, fmt.Sprintf("only %d samples in the steady state", len(pts)))
	}
	var names []string
	for _, p := range pts[len(pts)-1].Pools {
		names = append(names, p.Name)
	}
	if len(names) == 0 {
		if no := noneDeclared([]*capture.SourceTimeline{s}, probe.Database, "database"); no != "" {
			return unknown(d, s.Name, no+": no pool to exhaust")
		}
		return unknown(d, s.Name, "the service reports no pgx pool to the probe (probe/pgxprobe not wired)")
	}
	f := Finding{Detector: d, Source: s.Name, Verdict: VerdictOK, Confidence: 0.9}
	var worst *PoolFigures
	for _, name := range names {
		pf, events := a.poolFigures(s, name, pts, steady)
		f.Pools = append(f.Pools, pf)
		f.Events = append(f.Events, events...)
		f.Evidence = append(f.Evidence, poolEvidence(&pf)...)
		if worst == nil || pf.Exhausted > worst.Exhausted {
			worst = &f.Pools[len(f.Pools)-1]
		}
	}
	minTime := max(2*a.pollInterval(), time.Duration(minExhaustedShare*float64(steady.Duration())))
	sustained := max(minTime, time.Duration(sustainedExhaustedShare*float64(steady.Duration())))
	hurts := a.th.P95 > 0 && worst.P95Exhausted > a.th.P95
	switch {
	case worst.Exhausted >= sustained || worst.Exhausted >= minTime && hurts:
		f.Verdict, f.Severity, f.Confidence = VerdictDetected, SeverityHigh, 0.9
		if worst.Correlation >= 0.5 || (a.th.P95 > 0 && worst.P95Exhausted > a.th.P95) {
			f.Confidence = 0.95
		}
		other := human.Millis(worst.P95Other) + " otherwise"
		if worst.P95Other == 0 {
			other = "and it never was otherwise"
		}
		f.Summary = fmt.Sprintf("pool %s was exhausted %s of the steady state (%d waits, %.1f s waited); client p95 %s while exhausted, %s (Spearman %.2f)",
			worst.Name, human.Percent(worst.ExhaustedShare), worst.EmptyAcquires, worst.WaitSeconds, human.Millis(worst.P95Exhausted), other, worst.Correlation)
		if worst.Cleared {
			f.Summary += "; it cleared when the load stopped: capacity, not a leak"
		} else {
			f.Summary += "; it did not clear when the load stopped: see the connection-leak finding"
		}
		a.poolSuspects(&f, s, worst)
	case worst.Exhausted >= minTime:
		f.Verdict, f.Severity, f.Confidence = VerdictWarning, SeverityMedium, 0.7
		f.Summary = fmt.Sprintf("pool %s was at its max with acquires waiting %s of the steady state (%d waits, %.2f s waited), below the bar of %s unless p95 breaks its target there (%s)",
			worst.Name, human.Percent(worst.ExhaustedShare), worst.EmptyAcquires, worst.WaitSeconds, human.Percent(sustainedExhaustedShare), human.Millis(worst.P95Exhausted))
		f.NextStep = "Watch the pool under a longer or heavier soak; size it by Little's law if the waits grow."
	case worst.Exhausted > 0:
		f.Confidence = 0.7
		f.Summary = fmt.Sprintf("pool %s ran dry only briefly (%s at its max with %d waits, below the bar of %s): bursts, not exhaustion",
			worst.Name, human.Span(worst.Exhausted), worst.EmptyAcquires, human.Span(minTime))
	default:
		f.Summary = fmt.Sprintf("no acquire waited with a pool at its max (peak %s of %d connections)",
			human.Percent(worst.PeakUtilization), worst.Max)
	}
	return f
}

// assumedPollInterval is the poll interval of a capture that does not
// record its own: runner.DefaultPollInterval, the default since the first
// capture format.
const assumedPollInterval = 2 * time.Second

// pollInterval is the configured poll interval, or 2 s when unknown.
func (a *analyzer) pollInterval() time.Duration {
	if a.c.Config != nil && a.c.Config.PollInterval > 0 {
		return a.c.Config.PollInterval
	}
	return assumedPollInterval
}

// poolFigures measures pool name over the steady-state points pts.
func (a *analyzer) poolFigures(s *capture.SourceTimeline, name string, pts []capture.Point, steady capture.Span) (PoolFigures, []Event) {
	pf := PoolFigures{Name: name}
	var waitRate, p95s []float64
	var inside, outside []*engine.Interval
	var events []Event
	var utilSum float64
	var utilN int
	for i, p := range pts {
		pp := p.Pool(name)
		if pp == nil {
			continue
		}
		pf.Max = max(pf.Max, pp.Max)
		pf.PeakAcquired = max(pf.PeakAcquired, pp.Acquired)
		if pp.Max > 0 {
			utilSum += float64(pp.Acquired) / float64(pp.Max)
			utilN++
		}
		if i == 0 {
			continue
		}
		prev := pts[i-1].Pool(name)
		if prev == nil {
			continue
		}
		dt := p.Time.Sub(pts[i-1].Time)
		if dt <= 0 {
			continue
		}
		empty := pp.EmptyAcquire - prev.EmptyAcquire
		wait := pp.WaitSeconds - prev.WaitSeconds
		pf.EmptyAcquires += empty
		pf.WaitSeconds += wait
		win := a.intervalsIn(pts[i-1].Time, p.Time)
		w := engine.Window(win...)
		if w != nil {
			t := w.Total()
			waitRate = append(waitRate, wait/dt.Seconds())
			p95s = append(p95s, float64(t.Percentile(95)))
		}
		// At its max at both ends of the interval: the waits were for a
		// connection to be released, not for a new one to be opened.
		atMax := pp.Max > 0 && pp.Total >= pp.Max && prev.Total >= pp.Max
		if empty > 0 && atMax {
			pf.Exhausted += dt
			inside = append(inside, win...)
			if n := len(events); n > 0 && events[n-1].End.Equal(pts[i-1].Time) {
				events[n-1].End = p.Time
			} else {
				events = append(events, Event{Kind: "pool-exhausted", Source: s.Name, Start: pts[i-1].Time, End: p.Time,
					Detail: "pool " + name + " at its max with acquires waiting"})
			}
		} else {
			outside = append(outside, win...)
		}
	}
	if pf.Max > 0 {
		pf.PeakUtilization = float64(pf.PeakAcquired) / float64(pf.Max)
	}
	if utilN > 0 {
		pf.MeanUtilization = utilSum / float64(utilN)
	}
	pf.ExhaustedShare = pf.Exhausted.Seconds() / steady.Duration().Seconds()
	pf.Correlation, pf.CorrelationN = stats.Spearman(waitRate, p95s), len(p95s)
	pf.P95Exhausted, pf.P99Exhausted = windowQuantiles(inside)
	pf.P95Other, pf.P99Other = windowQuantiles(outside)
	pf.Cleared = poolCleared(s, name)
	first, last := pts[0].Pool(name), pts[len(pts)-1].Pool(name)
	if first != nil && last != nil {
		dt := pts[len(pts)-1].Time.Sub(pts[0].Time).Seconds()
		acq := float64(last.AcquireCount - first.AcquireCount)
		if dt > 0 && acq > 0 {
			pf.AcquireRate = acq / dt
			pf.HoldTime = time.Duration(pf.MeanUtilization * float64(pf.Max) / pf.AcquireRate * float64(time.Second))
			pf.QueryTime = time.Duration(float64(last.QueryMicros-first.QueryMicros)/acq) * time.Microsecond
			pf.WaitPerAcquire = time.Duration(pf.WaitSeconds / acq * float64(time.Second))
			pf.NeededConns = pf.AcquireRate * (pf.HoldTime + pf.WaitPerAcquire).Seconds() / poolHeadroom
		}
	}
	return pf, events
}

// windowQuantiles returns the p95 and p99 of the merged intervals.
func windowQuantiles(ivs []*engine.Interval) (time.Duration, time.Duration) {
	w := engine.Window(ivs...)
	if w == nil {
		return 0, 0
	}
	t := w.Total()
	return time.Duration(t.Percentile(95)) * time.Microsecond, time.Duration(t.Percentile(99)) * time.Microsecond
}

// poolCleared reports whether pool name stopped waiting once the load
// stopped: no empty acquire between the drain's first and last sample,
// and acquired back to its baseline.
func poolCleared(s *capture.SourceTimeline, name string) bool {
	first, last := s.First[capture.PhaseDrain], s.Last[capture.PhaseDrain]
	if first == nil || last == nil {
		return false
	}
	a, aok := first.Pool(name)
	b, bok := last.Pool(name)
	if !aok || !bok || b.EmptyAcquireCount > a.EmptyAcquireCount {
		return false
	}
	base := int32(0)
	if bs := s.Last[capture.PhaseBaseline]; bs != nil {
		if p, ok := bs.Pool(name); ok {
			base = p.AcquiredConns
		}
	}
	return b.AcquiredConns <= base
}

func poolEvidence(pf *PoolFigures) []string {
	return []string{
		fmt.Sprintf("Pool %s: max %d connections, peak %d acquired (%s), mean utilisation %s over the steady state.",
			pf.Name, pf.Max, pf.PeakAcquired, human.Percent(pf.PeakUtilization), human.Percent(pf.MeanUtilization)),
		fmt.Sprintf("Exhausted (acquires waiting with the pool at its max) for %s (%s of the steady state): %d waits, %.2f s waited in total.",
			human.Span(pf.Exhausted), human.Percent(pf.ExhaustedShare), pf.EmptyAcquires, pf.WaitSeconds),
		fmt.Sprintf("Client latency in the exhausted intervals: p95 %s, p99 %s; in the others: %s. Spearman correlation of wait time per second with p95 over %d intervals: %.2f.",
			msOr(pf.P95Exhausted, "none"), msOr(pf.P99Exhausted, "none"), otherLatency(pf), pf.CorrelationN, pf.Correlation),
		fmt.Sprintf("Little's law: %.1f acquires/s x %s held per acquire = %.1f connections busy, and x %s waited per acquire = %.1f acquires queued; the statements take %s of each hold.",
			pf.AcquireRate, human.Millis(pf.HoldTime), pf.AcquireRate*pf.HoldTime.Seconds(), human.Millis(pf.WaitPerAcquire),
			pf.AcquireRate*pf.WaitPerAcquire.Seconds(), human.Millis(pf.QueryTime)),
	}
}

// msOr is human.Millis(d), or none when d is 0 (no interval to measure).
func msOr(d time.Duration, none string) string {
	if d == 0 {
		return none
	}
	return human.Millis(d)
}

func otherLatency(pf *PoolFigures) string {
	if pf.P95Other == 0 {
		return "no other interval"
	}
	return "p95 " + human.Millis(pf.P95Other) + ", p99 " + human.Millis(pf.P99Other)
}

// PoolFigures are the pool-exhaustion detector's measurements for one
// pgx pool of one source, over the steady state.
type PoolFigures struct {
	Name            string  `json:"name"`
	Max             int32   `json:"max"`
	PeakAcquired    int32   `json:"peak_acquired"`
	PeakUtilization float64 `json:"peak_utilization"`
	MeanUtilization float64 `json:"mean_utilization"`
	// EmptyAcquires and WaitSeconds count acquires that found no idle
	// connection, and their total wait.
	EmptyAcquires int64   `json:"empty_acquires"`
	WaitSeconds   float64 `json:"wait_seconds"`
	// Exhausted is the time the pool spent exhausted (poll intervals with
	// empty acquires while at its max), and ExhaustedShare its share of
	// the steady state.
	Exhausted      time.Duration `json:"exhausted_ns"`
	ExhaustedShare float64       `json:"exhausted_share"`
	// Client latency in the exhausted intervals and in the others.
	P95Exhausted time.Duration `json:"p95_exhausted_ns"`
	P95Other     time.Duration `json:"p95_other_ns"`
	P99Exhausted time.Duration `json:"p99_exhausted_ns"`
	P99Other     time.Duration `json:"p99_other_ns"`
	// Correlation is Spearman's rank correlation, over the steady state's
	// poll intervals, between the pool's wait time per second and the
	// client's p95; CorrelationN is the number of intervals.
	Correlation  float64 `json:"correlation"`
	CorrelationN int     `json:"correlation_n"`
	// Cleared is set when the exhaustion stopped once load stopped (no
	// empty acquires in the drain and acquired back to its baseline).
	Cleared bool `json:"cleared"`
	// Little's law: AcquireRate (acquires/s) x HoldTime (mean time a
	// connection is held per acquire) = connections in use, and x
	// WaitPerAcquire (mean wait for one) = acquires queued; QueryTime is
	// the database time per acquire (statement latency); NeededConns is
	// AcquireRate x (HoldTime + WaitPerAcquire) / 0.8: the connections the
	// demand seen would keep busy at 80 % utilisation (a lower bound: a
	// closed-loop load speeds up once it stops waiting).
	AcquireRate    float64       `json:"acquire_rate"`
	HoldTime       time.Duration `json:"hold_time_ns"`
	WaitPerAcquire time.Duration `json:"wait_per_acquire_ns"`
	QueryTime      time.Duration `json:"query_time_ns"`
	NeededConns    float64       `json:"needed_conns"`
}

package analysis

import (
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis/stats"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/probe"
)

// poolInterval is what one pgx pool did between two consecutive samples.
type poolInterval struct {
	start, end time.Time
	dt         time.Duration
	// empty and canceled are pgxpool's acquires that waited and got a
	// connection, and those that waited until their context ended; wait
	// is the empty acquires' total wait (s); acquires the successful
	// acquires.
	empty, canceled, acquires int64
	wait                      float64
	// atMax: the pool had every connection it may open at both samples,
	// or every connection acquired at one of them. held: every
	// connection acquired at both samples. queued: acquires were waiting
	// at a sample with every connection acquired (the tracer's gauge).
	atMax, held, queued bool
}

// exhausted reports an interval in which an acquire waited, or gave up
// waiting, with the pool at its max: the waits were for a release, not for
// a new connection to be opened.
func (iv *poolInterval) exhausted() bool {
	return iv.atMax && (iv.empty > 0 || iv.canceled > 0 || iv.queued)
}

// poolIntervals splits the samples pts of pool name into intervals.
func poolIntervals(pts []capture.Point, name string) []poolInterval {
	var out []poolInterval
	for i := 1; i < len(pts); i++ {
		prev, cur := pts[i-1].Pool(name), pts[i].Pool(name)
		if prev == nil || cur == nil {
			continue
		}
		dt := pts[i].Time.Sub(pts[i-1].Time)
		if dt <= 0 {
			continue
		}
		m := cur.Max
		iv := poolInterval{start: pts[i-1].Time, end: pts[i].Time, dt: dt,
			empty:    max(cur.EmptyAcquire-prev.EmptyAcquire, 0),
			canceled: max(cur.Canceled-prev.Canceled, 0),
			acquires: max(cur.AcquireCount-prev.AcquireCount, 0),
			wait:     max(cur.WaitSeconds-prev.WaitSeconds, 0),
		}
		if m > 0 {
			iv.atMax = prev.Total >= m && cur.Total >= m || prev.Acquired >= m || cur.Acquired >= m
			iv.held = prev.Acquired >= m && cur.Acquired >= m
			iv.queued = cur.Waiting > 0 && cur.Acquired >= m || prev.Waiting > 0 && prev.Acquired >= m
		}
		out = append(out, iv)
	}
	return out
}

// poolPeak is the peak of pool name over pts: the most connections
// acquired at a sample, or its max when an acquire waited with the pool at
// its max between two samples (every connection was acquired then, though
// no sample saw it); and the time the pool spent at its max (held there
// across an interval, or exhausted in it). The Connection Pool row, the
// Peak Pool Size row and the pool-exhaustion finding all read it.
func poolPeak(pts []capture.Point, name string) (peak, maxConns int32, atMax time.Duration) {
	for i := range pts {
		if pp := pts[i].Pool(name); pp != nil {
			peak, maxConns = max(peak, pp.Acquired), max(maxConns, pp.Max)
		}
	}
	for _, iv := range poolIntervals(pts, name) {
		if iv.held || iv.exhausted() {
			atMax += iv.dt
		}
		if iv.exhausted() {
			peak = max(peak, maxConns)
		}
	}
	return peak, maxConns, atMax
}

// poolFigures measures pool name over the steady-state points pts.
func (a *analyzer) poolFigures(s *capture.SourceTimeline, name string, pts []capture.Point, steady capture.Span) (PoolFigures, []Event) {
	pf := PoolFigures{Name: name}
	pf.PeakAcquired, pf.Max, pf.AtMax = poolPeak(pts, name)
	var waitRate, p95s []float64
	var inside, outside []*engine.Interval
	var events []Event
	var utilSum float64
	var utilN int
	for i := range pts {
		if pp := pts[i].Pool(name); pp != nil && pp.Max > 0 {
			utilSum += float64(pp.Acquired) / float64(pp.Max)
			utilN++
			pf.PeakWaiting = max(pf.PeakWaiting, pp.Waiting)
		}
	}
	for _, iv := range poolIntervals(pts, name) {
		pf.EmptyAcquires += iv.empty
		pf.CanceledAcquires += iv.canceled
		pf.WaitSeconds += iv.wait
		win := a.intervalsIn(iv.start, iv.end)
		if w := engine.Window(win...); w != nil {
			// Waits per second, successful or given up: pgxpool times
			// only the successful ones.
			waitRate = append(waitRate, float64(iv.empty+iv.canceled)/iv.dt.Seconds())
			t := w.Total()
			p95s = append(p95s, float64(t.Percentile(95)))
		}
		if !iv.exhausted() {
			outside = append(outside, win...)
			continue
		}
		pf.Exhausted += iv.dt
		pf.CanceledExhausted += iv.canceled
		inside = append(inside, win...)
		if n := len(events); n > 0 && events[n-1].End.Equal(iv.start) {
			events[n-1].End = iv.end
		} else {
			events = append(events, Event{Kind: "pool-exhausted", Source: s.Name, Start: iv.start, End: iv.end,
				Detail: "pool " + name + " at its max with acquires waiting"})
		}
	}
	if pf.Max > 0 {
		pf.PeakUtilization = float64(pf.PeakAcquired) / float64(pf.Max)
	}
	if utilN > 0 {
		pf.MeanUtilization = utilSum / float64(utilN)
	}
	if d := steady.Duration().Seconds(); d > 0 {
		pf.ExhaustedShare = pf.Exhausted.Seconds() / d
		pf.AtMaxShare = pf.AtMax.Seconds() / d
	}
	pf.Correlation, pf.CorrelationN = stats.Spearman(waitRate, p95s), len(p95s)
	pf.P95Exhausted, pf.P99Exhausted = windowQuantiles(inside)
	pf.P95Other, pf.P99Other = windowQuantiles(outside)
	pf.FailExhausted, pf.RequestsExhausted = failRate(inside)
	pf.FailOther, pf.RequestsOther = failRate(outside)
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
			if d := last.AcquireSeconds - first.AcquireSeconds; d > 0 {
				// pgxpool's AcquireDuration: every successful acquire's
				// time, the waits for a release or a new connection
				// included.
				pf.WaitPerAcquire = time.Duration(d / acq * float64(time.Second))
			}
		}
	}
	if hs := steadyHolders(s, name); len(hs) > 0 {
		// The tracer timed every hold: its figures replace Little's
		// estimate from the sampled utilisation.
		var rel uint64
		var held, busy int64
		for _, h := range hs {
			rel, held, busy = rel+h.Releases, held+h.HeldMicros, busy+h.BusyMicros
		}
		if rel > 0 {
			pf.HoldTime = time.Duration(held/int64(rel)) * time.Microsecond
			pf.QueryTime = time.Duration(busy/int64(rel)) * time.Microsecond
			pf.HoldMeasured = true
		}
	}
	pf.NeededConns = pf.AcquireRate * (pf.HoldTime + pf.WaitPerAcquire).Seconds() / poolHeadroom
	return pf, events
}

// failRate returns the share of the requests of ivs that failed, and the
// requests.
func failRate(ivs []*engine.Interval) (float64, int64) {
	var req, fail int64
	for _, iv := range ivs {
		r, f, _ := ivCounts(iv)
		req, fail = req+r, fail+f
	}
	if req == 0 {
		return 0, 0
	}
	return float64(fail) / float64(req), req
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
// stopped: no acquire waited or gave up between the drain's first and
// last sample, and acquired back to its baseline.
func poolCleared(s *capture.SourceTimeline, name string) bool {
	first, last := s.First[capture.PhaseDrain], s.Last[capture.PhaseDrain]
	if first == nil || last == nil {
		return false
	}
	a, aok := first.Pool(name)
	b, bok := last.Pool(name)
	if !aok || !bok || b.EmptyAcquireCount > a.EmptyAcquireCount || b.CanceledAcquireCount > a.CanceledAcquireCount {
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

// steadyHolders is pool name's hold profile over the steady state: the
// last steady sample's entries minus the first's (entries matched by
// function and route), those released in it only.
func steadyHolders(s *capture.SourceTimeline, name string) []probe.HolderSnapshot {
	first, last := s.First[capture.PhaseSteady], s.Last[capture.PhaseSteady]
	if first == nil || last == nil {
		return nil
	}
	lp, ok := last.Pool(name)
	if !ok {
		return nil
	}
	fp, _ := first.Pool(name)
	type key struct{ fn, file, method, route string }
	before := map[key]probe.HolderSnapshot{}
	for _, h := range fp.Holders {
		before[key{h.Function, h.File, h.Method, h.Route}] = h
	}
	var out []probe.HolderSnapshot
	for _, h := range lp.Holders {
		if b, ok := before[key{h.Function, h.File, h.Method, h.Route}]; ok && b.Releases <= h.Releases {
			h.Releases -= b.Releases
			h.HeldMicros -= b.HeldMicros
			h.BusyMicros -= b.BusyMicros
		}
		if h.Releases > 0 {
			out = append(out, h)
		}
	}
	return out
}

package analysis

import (
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis/poolwait"
	"github.com/soaklab/soak/engine/analysis/stats"
	"github.com/soaklab/soak/engine/capture"
)

// poolFigures measures pool name over the steady-state points pts.
func (a *analyzer) poolFigures(s *capture.SourceTimeline, name string, pts []capture.Point, steady capture.Span) (PoolFigures, []Event) {
	pf := PoolFigures{Name: name}
	pf.PeakAcquired, pf.Max, pf.AtMax = poolwait.Peak(pts, name)
	pf.PeakHeld, pf.HeldCounted = poolwait.PeakHeld(pts, name)
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
	for _, iv := range poolwait.Intervals(pts, name) {
		pf.EmptyAcquires += iv.Empty
		pf.CanceledAcquires += iv.Canceled
		pf.WaitSeconds += iv.Wait
		win := a.intervalsIn(iv.Start, iv.End)
		if len(win) > 0 {
			// Waits per second, successful or given up: pgxpool times
			// only the successful ones.
			waitRate = append(waitRate, float64(iv.Empty+iv.Canceled)/iv.DT.Seconds())
			p95s = append(p95s, float64(mergedStat(win).Percentile(95)))
		}
		if !iv.Exhausted() {
			outside = append(outside, win...)
			continue
		}
		pf.Exhausted += iv.DT
		pf.CanceledExhausted += iv.Canceled
		inside = append(inside, win...)
		events = addEvent(events, Event{Kind: "pool-exhausted", Source: s.Name, Start: iv.Start, End: iv.End,
			Detail: "pool " + name + " at its max with acquires waiting"})
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
	pf.Cleared, pf.ClearChecked = poolwait.Cleared(s, name)
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
	if hs := poolwait.SteadyHolders(s, name); len(hs) > 0 {
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
	st := mergedStat(ivs)
	return quantile(st, 95), quantile(st, 99)
}

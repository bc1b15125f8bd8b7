package capacity

import (
	"fmt"
	"math"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
)

// MeasureStep measures one step of a capacity search: the engine
// intervals of ivs whose middle lies in [from, to) (the step after its
// settling time) give its requests, throughput, percentiles and error
// rate; the probe points of tl between the first such interval's start
// and the last one's end give the service's CPU (the busiest source's,
// as a fraction of its cores) and its busiest pool's peak utilisation and
// empty acquires, -1 when no source measured them. measured is false when
// no interval lies in the step; the step then has only CPU and
// PoolUtilization set (to -1). Users, Rate, Broke and Why are the
// caller's ([JudgeStep]).
func MeasureStep(ivs []*engine.Interval, from, to time.Time, tl *capture.Timeline) (st Step, measured bool) {
	var in []*engine.Interval
	for _, iv := range ivs {
		mid := iv.Start.Add(iv.Duration() / 2)
		if !mid.Before(from) && mid.Before(to) {
			in = append(in, iv)
		}
	}
	st = Step{CPU: -1, PoolUtilization: -1}
	w := engine.Window(in...)
	if w == nil {
		return st, false
	}
	st.Start, st.End = w.Start, w.End
	t := w.Total()
	st.Requests = t.Requests
	if d := w.Duration().Seconds(); d > 0 {
		st.Throughput = float64(t.Requests) / d
	}
	st.P50 = time.Duration(t.Percentile(50)) * time.Microsecond
	st.P95 = time.Duration(t.Percentile(95)) * time.Microsecond
	st.P99 = time.Duration(t.Percentile(99)) * time.Microsecond
	if t.Requests > 0 {
		st.ErrorRate = float64(t.Failures()) / float64(t.Requests)
	}
	if tl != nil {
		serverFigures(&st, tl)
	}
	return st, true
}

// JudgeStep says whether st broke, and why: no request completed, its
// p95 or error rate breaks its target in th (a zero target is off), or
// its throughput is not at least minGain (0.05: 5 %) above the best of
// the steps before it.
func JudgeStep(st *Step, before []Step, th analysis.Thresholds, minGain float64) (broke bool, why string) {
	switch {
	case st.Requests == 0:
		return true, "no request completed"
	case th.P95 > 0 && st.P95 > th.P95:
		return true, fmt.Sprintf("p95 %s above the %s target", human.Millis(st.P95), human.Millis(th.P95))
	case th.ErrorRate > 0 && st.ErrorRate > th.ErrorRate:
		return true, fmt.Sprintf("error rate %s above the %s target", human.Percent(st.ErrorRate), human.Percent(th.ErrorRate))
	}
	best := 0.0
	for _, s := range before {
		best = math.Max(best, s.Throughput)
	}
	if len(before) > 0 && st.Throughput < best*(1+minGain) {
		return true, fmt.Sprintf("throughput stopped rising: %.1f RPS, best before %.1f RPS (less than %.0f%% more)",
			st.Throughput, best, 100*minGain)
	}
	return false, ""
}

// serverFigures fills a step's CPU and pool figures from the probe
// points inside it.
func serverFigures(st *Step, tl *capture.Timeline) {
	for _, s := range tl.Sources {
		var in []capture.Point
		for _, p := range s.Points {
			if !p.Time.Before(st.Start) && !p.Time.After(st.End) {
				in = append(in, p)
			}
		}
		if len(in) < 2 {
			continue
		}
		first, last := in[0], in[len(in)-1]
		if dt := last.Time.Sub(first.Time).Seconds(); dt > 0 && last.Cores > 0 && last.CPUSeconds > 0 {
			st.CPU = math.Max(st.CPU, (last.CPUSeconds-first.CPUSeconds)/dt/last.Cores)
		}
		for _, p := range in {
			for _, pp := range p.Pools {
				if pp.Max > 0 {
					st.PoolUtilization = math.Max(st.PoolUtilization, float64(pp.Acquired)/float64(pp.Max))
				}
			}
		}
		for _, lp := range last.Pools {
			if fp := first.Pool(lp.Name); fp != nil {
				st.PoolWaits += lp.EmptyAcquire - fp.EmptyAcquire
			}
		}
	}
}

package analysis

import (
	"fmt"
	"time"

	"github.com/soaklab/soak/engine/analysis/stage"
	"github.com/soaklab/soak/engine/analysis/stats"
	"github.com/soaklab/soak/engine/capture"
)

// StageSettle is left out after each load change before a stage is
// measured, beyond the users' ramp at the spawn rate; MinStageLeak is the
// shortest judged stage on which a heap or goroutine trend is judged
// (see Result.Stages and engine/analysis/stage).
const (
	StageSettle  = 10 * time.Second
	MinStageLeak = time.Minute
)

// stages splits the steady state (the load's span without a probe) at the
// plan's stages and the changes made mid-run; nil for one load level.
func (a *analyzer) stages() []stage.Stage {
	info := &a.res.RunInfo
	sp, ok := a.steadySpan()
	if !ok {
		return nil
	}
	var bs []stage.Boundary
	for i, ps := range info.Stages {
		bs = append(bs, stage.Boundary{At: info.Start.Add(ps.At), Users: ps.Users, Rate: ps.Rate, Cause: fmt.Sprintf("planned stage %d", i+1)})
	}
	for _, ch := range a.res.Changes() {
		bs = append(bs, stage.Boundary{At: ch.At, Users: ch.Users, Rate: ch.Rate, Cause: ch.String()})
	}
	secs := max(sp.Duration().Seconds(), 1) // the leak bars: the whole-run detectors' least, per second
	return stage.Split(stage.Input{Intervals: a.res.Intervals, Steady: sp, Bounds: bs, Sources: a.sources(), Initial: stage.Boundary{Users: info.Users, Rate: info.Rate},
		Limits: stage.Limits{Settle: StageSettle, SpawnRate: info.SpawnRate, MinLeakSpan: MinStageLeak, MinPoints: stats.MinPoints,
			P95: a.th.P95, ErrorRate: a.th.ErrorRate, HeapBar: minLeakBytes / secs, GoroutineBar: minGoroutineLeak / secs,
			ExhaustedShare: sustainedExhaustedShare}})
}

// steadySpan is the steady state: the capture's phase, or the load's
// intervals when the run had no phases (an engine result analysed
// without a capture); not ok when there is neither.
func (a *analyzer) steadySpan() (capture.Span, bool) {
	sp, ok := a.c.Timing.Span(capture.PhaseSteady)
	if ivs := a.res.Intervals; !ok && len(a.c.Timing) == 0 && len(ivs) > 0 {
		sp, ok = capture.Span{Start: ivs[0].Start, End: ivs[len(ivs)-1].End}, true
	}
	return sp, ok
}

// applyStages says in which stage a pool ran dry or errors rose, and
// tells a heap or goroutine rise that follows a step up in load from a
// leak: flat within every stage long enough to judge is the load, not a
// leak; no stage long enough cannot tell.
func applyStages(r *Result) {
	for i := range r.Findings {
		f := &r.Findings[i]
		check := map[Detector]string{DetectorPoolExhaustion: stage.CheckPool, DetectorErrorRate: stage.CheckErrors,
			DetectorMemoryLeak: stage.CheckMemory, DetectorGoroutineLeak: stage.CheckGoroutines}[f.Detector]
		if check == "" || f.Verdict == VerdictOK || f.Verdict == VerdictUnknown {
			continue
		}
		if check == stage.CheckPool || check == stage.CheckErrors {
			if at := stage.Attribution(r.Stages, check, f.Source); at != "" {
				f.Summary += "; " + at
				f.Stage, _ = stage.Where(r.Stages, check, f.Source)
			}
			continue
		}
		kind, steps := stage.Rise(r.Stages, check, f.Source)
		if kind == stage.RiseLoad || kind == stage.RiseShort {
			f.Evidence = append(f.Evidence, "Over the whole steady state: "+f.Summary+".")
		}
		switch kind {
		case stage.RiseGrows:
			f.Stage, _ = stage.Where(r.Stages, check, f.Source)
			f.Evidence = append(f.Evidence, "Within the stages it grows "+stage.Attribution(r.Stages, check, f.Source)+": not only the load's steps.")
		case stage.RiseLoad:
			f.Verdict, f.Severity, f.Confidence, f.Suspects, f.NextStep = VerdictOK, SeverityNone, 0.7, nil, ""
			f.Summary = fmt.Sprintf("the rise follows the load's step up (%s) and does not grow within any stage long enough to judge: load, not a leak", steps)
		case stage.RiseShort:
			f.Verdict, f.Severity, f.Confidence, f.Suspects = VerdictInconclusive, SeverityMedium, 0.5, nil
			f.Summary = fmt.Sprintf("it rose with the load's step up (%s), and no stage is long (%s after settling) or steady enough to tell a leak from the load", steps, MinStageLeak)
			f.NextStep = "Hold each load level longer, or soak at one level, to judge a leak."
		}
	}
}

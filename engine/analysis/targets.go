package analysis

import (
	"fmt"
	"strings"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
)

// judge sets t's status from value against limit: below (want < limit)
// or above (want > limit). A negative limit turns the target off.
func judge(t *Target, value, limit float64, below bool) {
	t.Value, t.Limit = value, limit
	switch {
	case limit == 0:
		t.Status = StatusNoLimit
	case below && value < limit, !below && value > limit:
		t.Status = StatusPass
	default:
		t.Status = StatusFail
	}
}

func unmeasured(t Target, why string) Target {
	t.Actual, t.Status, t.Why = "not measured", StatusUnknown, why
	return t
}

func limitText(op string, v string, limit float64) string {
	if limit == 0 {
		return "none"
	}
	return op + " " + v
}

// performanceTargets are the Performance Metrics rows, over the whole run
// as Locust reports them (the CSV and these rows agree).
func (a *analyzer) performanceTargets() []Target {
	th := a.th
	tot := a.res.Total.Total()
	dur := a.res.End.Sub(a.res.Start)
	var rows []Target
	lat := func(name string, p float64, limit time.Duration) {
		t := Target{Metric: name, Target: limitText("<", fmt.Sprintf("%dms", limit.Milliseconds()), float64(limit))}
		if tot.Requests == 0 {
			rows = append(rows, unmeasured(t, "no request completed"))
			return
		}
		v := time.Duration(tot.Percentile(p)) * time.Microsecond
		t.Actual = human.Millis(v)
		judge(&t, float64(v.Microseconds())/1000, float64(limit.Microseconds())/1000, true)
		rows = append(rows, t)
	}
	lat("P50 Latency", 50, th.P50)
	lat("P95 Latency", 95, th.P95)
	lat("P99 Latency", 99, th.P99)

	t := Target{Metric: "Error Rate", Target: limitText("<", human.LimitPercent(th.ErrorRate), th.ErrorRate)}
	if tot.Requests == 0 {
		rows = append(rows, unmeasured(t, "no request completed"))
	} else {
		rate := float64(tot.Failures()) / float64(tot.Requests)
		t.Actual = fmt.Sprintf("%s (%s of %s)", human.Percent(rate), human.Count(tot.Failures()), human.Count(tot.Requests))
		judge(&t, rate, th.ErrorRate, true)
		t.Why = "429s are counted apart (Rate Limit Hits)"
		rows = append(rows, t)
	}

	rows = append(rows, a.throughputRow(tot, dur))

	t = Target{Metric: "Rate Limit Hits", Target: "Expected"}
	rl := a.r.Find(DetectorRateLimit, "")
	switch {
	case rl == nil || rl.RateLimit == nil:
		rows = append(rows, unmeasured(t, "no rate-limit finding"))
	default:
		f := rl.RateLimit
		t.Actual = fmt.Sprintf("%s (%s)", human.Count(f.Hits), human.Percent(f.HitRate))
		t.Value = float64(f.Hits)
		if f.Expected != "" && f.Expected != "unknown" {
			t.Actual += ", " + f.Expected
		}
		if a.r.MostlyRateLimited() {
			t.Actual += ", mostly rate-limited"
		}
		switch rl.Verdict {
		case VerdictOK:
			t.Status = StatusPass
		case VerdictDetected:
			t.Status = StatusFail
		case VerdictWarning, VerdictInconclusive:
			t.Status = StatusWarning
		default:
			t.Status = StatusUnknown
		}
		t.Why = rl.Summary
		rows = append(rows, t)
	}
	return rows
}

// throughputRow is the Throughput row: the responses that served their
// request (neither a 429 nor a failure) per second over the run. A
// target above what the plan can send (engine.RunInfo.MaxThroughput) is
// "unreachable by this plan", not a failure of the service, unless the
// policy asks for strict targets.
func (a *analyzer) throughputRow(tot engine.Stat, dur time.Duration) Target {
	th := a.th
	t := Target{Metric: "Throughput", Target: limitText(">", fmt.Sprintf("%g RPS", th.Throughput), th.Throughput)}
	if dur <= 0 {
		return unmeasured(t, "the run has no duration")
	}
	rps := float64(tot.Successes()) / dur.Seconds()
	t.Actual = fmt.Sprintf("%.1f RPS", rps)
	if tot.Successes() != tot.Requests {
		t.Actual += fmt.Sprintf(" served (%.1f sent; 429s and failures do not count)", float64(tot.Requests)/dur.Seconds())
	}
	judge(&t, rps, th.Throughput, false)
	var why []string
	if bound := a.res.MaxThroughput; bound > 0 && th.Throughput > 0 && th.Throughput >= bound {
		why = append(why, fmt.Sprintf("unreachable by this plan: its users and waits send at most %.1f requests/s (Little's law), not above the target", bound))
		if t.Status == StatusFail && !a.r.Policy.StrictTargets {
			t.Status = StatusUnreachable
		}
	}
	if a.res.GeneratorBound {
		why = append(why, "the generator limited the run: "+strings.Join(a.res.Reasons, "; "))
	}
	t.Why = strings.Join(why, "; ")
	return t
}

// systemTargets are the System Metrics rows, over the steady state, the
// worst source first named.
func (a *analyzer) systemTargets() []Target {
	th := a.th
	srcs := a.sources()
	none := a.noProbeReason()
	rows := []Target{
		{Component: "Database", Metric: "Connection Pool", Target: limitText("<", human.LimitPercent(th.Pool), th.Pool)},
		{Component: "Database", Metric: "Query Latency", Target: limitText("<", fmt.Sprintf("%dms", th.QueryLatency.Milliseconds()), float64(th.QueryLatency))},
		{Component: "Cache", Metric: "Hit Rate", Target: limitText(">", human.LimitPercent(th.CacheHitRate), th.CacheHitRate)},
		{Component: "Cache", Metric: "Memory Usage", Target: limitText("<", human.LimitPercent(th.CacheMemory), th.CacheMemory)},
		{Component: "Application", Metric: "CPU Usage", Target: limitText("<", human.LimitPercent(th.CPU), th.CPU)},
		{Component: "Application", Metric: "Memory Usage", Target: limitText("<", human.LimitPercent(th.Memory), th.Memory)},
	}
	if len(srcs) == 0 {
		for i := range rows {
			rows[i] = unmeasured(rows[i], none)
		}
		return rows
	}
	rows[0] = a.poolRow(rows[0], srcs)
	rows[1] = a.queryRow(rows[1], srcs)
	rows[2] = a.cacheHitRow(rows[2], srcs)
	rows[3] = a.cacheMemoryRow(rows[3], srcs)
	rows[4] = a.cpuRow(rows[4], srcs)
	rows[5] = a.memoryRow(rows[5], srcs)
	return rows
}

// steadyPoints returns the steady-state points of s, or every point after
// the baseline when there is no steady state.
func steadyPoints(s *capture.SourceTimeline) []capture.Point {
	if pts := s.In(capture.PhaseSteady); len(pts) > 0 {
		return pts
	}
	return s.In(capture.PhaseWarmup)
}

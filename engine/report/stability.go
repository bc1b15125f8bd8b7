package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/internal/human"
)

func verdictText(f *analysis.Finding) string {
	switch f.Verdict {
	case analysis.VerdictDetected:
		s := "❌ Yes"
		if len(f.Suspects) > 0 {
			s += ": " + f.Suspects[0].Location()
		}
		return s + fmt.Sprintf(" (confidence %.0f%%)", 100*f.Confidence)
	case analysis.VerdictWarning:
		return fmt.Sprintf("⚠️ Possibly: %s (confidence %.0f%%)", f.Summary, 100*f.Confidence)
	case analysis.VerdictOK:
		return fmt.Sprintf("✅ No: %s (confidence %.0f%%)", f.Summary, 100*f.Confidence)
	case analysis.VerdictInconclusive:
		return fmt.Sprintf("❔ Cannot tell from this run: %s", f.Summary)
	}
	return "❔ Not measured: " + f.Unmeasured
}

func stability(r *analysis.Result) Stability {
	var st Stability
	perSource := func(d analysis.Detector, fn func(f *analysis.Finding, prefix string) []KV) []KV {
		var out []KV
		fs := findingsOf(r, d)
		for _, f := range fs {
			prefix := ""
			if len(fs) > 1 {
				prefix = f.Source + ": "
			}
			out = append(out, fn(f, prefix)...)
		}
		return out
	}
	st.Memory = perSource(analysis.DetectorMemoryLeak, func(f *analysis.Finding, p string) []KV {
		m := f.Memory
		if m == nil {
			return []KV{{p + "Leak Detected", verdictText(f)}}
		}
		return []KV{
			{p + "Initial Memory", fmt.Sprintf("%s (live heap after GC at the start of the steady state; %s at baseline)", heapMB(m.InitialBytes), heapMB(m.BaselineBytes))},
			{p + "Final Memory", fmt.Sprintf("%s (at the end of the steady state; %s after the drain)", heapMB(m.FinalBytes), heapMB(m.AfterDrainBytes))},
			{p + "Memory Growth", memoryGrowthText(m)},
			{p + "Leak Detected", verdictText(f)},
		}
	})
	st.Goroutines = perSource(analysis.DetectorGoroutineLeak, func(f *analysis.Finding, p string) []KV {
		g := f.Goroutines
		if g == nil {
			return []KV{{p + "Leak Detected", verdictText(f)}}
		}
		return []KV{
			{p + "Goroutines", fmt.Sprintf("%d at baseline, %d at the start of the steady state, %d at its end, %d after the drain", g.Baseline, g.SteadyStart, g.SteadyEnd, g.AfterDrain)},
			{p + "Expected by the load", fmt.Sprintf("%.1f requests in flight (Little's law: %.1f requests/s x %s)", g.ExpectedInFlight, g.ArrivalRate, human.Millis(g.ServerLatency))},
			{p + "Leak Detected", verdictText(f)},
		}
	})
	st.Pool = poolStability(r)
	if f := r.Find(analysis.DetectorErrorRate, ""); f != nil {
		if f.Errors == nil {
			st.ErrorRate = []KV{{"Trend", verdictText(f)}}
		} else {
			for _, w := range f.Errors.Windows {
				st.ErrorRate = append(st.ErrorRate, KV{w.Label, fmt.Sprintf("%s (%s of %s requests)", human.Percent(w.Rate), human.Count(w.Failures), human.Count(w.Requests))})
			}
			st.ErrorRate = append(st.ErrorRate, KV{"Trend", verdictIcons[f.Verdict] + cases(f.Errors.Trend) + ": " + f.Summary})
		}
	}
	st.Latency = latencyRows(r)
	if f := r.Find(analysis.DetectorRateLimit, ""); f != nil {
		st.RateLimited = []KV{{"Rate Limit Hits", verdictRate(f)}}
		if rf := f.RateLimit; rf != nil && rf.Policy != "" {
			st.RateLimited = append(st.RateLimited, KV{"Policy", rf.Policy})
		}
	}
	st.Restarts = restartRows(r)
	st.Users = quitRows(r)
	return st
}

// latencyRows gives the p50, p95 and p99 in thirds of the span the
// latency trend was judged over, and the trend.
func latencyRows(r *analysis.Result) []KV {
	f := r.Find(analysis.DetectorLatencyTrend, "")
	switch {
	case f == nil:
		return nil
	case f.Latency == nil:
		return []KV{{"Trend", verdictText(f)}}
	}
	var out []KV
	for _, w := range f.Latency.Windows {
		out = append(out, KV{w.Label, fmt.Sprintf("p50 %s, p95 %s, p99 %s (%s requests)", human.Millis(w.P50), human.Millis(w.P95), human.Millis(w.P99), human.Count(w.Requests))})
	}
	return append(out, KV{"Trend", verdictIcons[f.Verdict] + cases(f.Latency.Trend) + ": " + f.Summary})
}

// restartRows says whether the service restarted, and each restart: when,
// which instances, the requests that failed around it.
func restartRows(r *analysis.Result) []KV {
	f := r.Find(analysis.DetectorRestart, "")
	switch {
	case f == nil:
		return nil
	case f.Restarts == nil || len(f.Restarts.Events) == 0:
		return []KV{{"Restarts", verdictRate(f)}}
	}
	out := []KV{{"Restarts", verdictRate(f)}}
	for i, e := range f.Restarts.Events {
		out = append(out, KV{fmt.Sprintf("Restart %d", i+1), fmt.Sprintf("%s: instance %s last answered %s into the load, instance %s answered from %s (%s); %s of %s requests failed around it; judged apart as %s and %s",
			e.Source, e.FromInstance, human.Span(e.LastSeen.Sub(r.Engine.Start)), e.ToInstance, human.Span(e.Offset), e.Phase,
			human.Count(e.Failures), human.Count(e.Requests), e.From, e.To)})
	}
	return out
}

// quitRows counts the users that quit before the load ended, and says
// when and why.
func quitRows(r *analysis.Result) []KV {
	f := r.Find(analysis.DetectorUserQuits, "")
	if f == nil || f.Quits == nil {
		return nil
	}
	q := f.Quits
	out := []KV{{"Users Started", human.Count(q.Started)}, {"Users That Quit", fmt.Sprintf("%s (%s): %s", human.Count(q.Quit), human.Percent(q.Share), verdictRate(f))}}
	for _, e := range q.Reasons {
		out = append(out, KV{e.Name, fmt.Sprintf("%s quit: %s (first %s into the load, last %s)", human.Count(e.Count), e.Error,
			human.Span(e.First.Sub(r.Engine.Start)), human.Span(e.Last.Sub(r.Engine.Start)))})
	}
	return out
}

// verdictRate is a finding's summary behind its verdict's icon.
func verdictRate(f *analysis.Finding) string {
	return verdictIcons[f.Verdict] + f.Summary
}

// verdictIcons mark a verdict in the report's rows.
var verdictIcons = map[analysis.Verdict]string{analysis.VerdictOK: "✅ ", analysis.VerdictWarning: "⚠️ ",
	analysis.VerdictDetected: "❌ ", analysis.VerdictInconclusive: "❔ ", analysis.VerdictUnknown: "❔ "}

func cases(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// findingsOf returns the findings of detector d, by source.
func findingsOf(r *analysis.Result, d analysis.Detector) []*analysis.Finding {
	var out []*analysis.Finding
	for i := range r.Findings {
		if r.Findings[i].Detector == d {
			out = append(out, &r.Findings[i])
		}
	}
	slices.SortFunc(out, func(a, b *analysis.Finding) int { return cmp.Compare(a.Source, b.Source) })
	return out
}

func poolStability(r *analysis.Result) []KV {
	var out []KV
	multi := len(findingsOf(r, analysis.DetectorPoolExhaustion)) > 1
	for _, f := range findingsOf(r, analysis.DetectorConnectionLeak) {
		p := ""
		if multi {
			p = f.Source + ": "
		}
		if c := f.Connections; c == nil || len(c.Pools) == 0 {
			// The seed's rows stay, saying why they have no figure.
			if why := poolUnmeasured(r); why != "" {
				out = append(out, KV{p + "Initial Pool Size", "❔ Not measured: " + why},
					KV{p + "Peak Pool Size", "❔ Not measured: " + why})
			}
		} else {
			for _, pr := range c.Pools {
				share := func(n int32) string { return human.Percent(float64(n) / float64(max(pr.Max, 1))) }
				peak := fmt.Sprintf("%d of %d acquired at a sample (%s)", pr.SteadyPeak, pr.Max, share(pr.SteadyPeak))
				if pr.HeldCounted {
					peak = fmt.Sprintf("%d of %d held at once (%s; the tracer counts at every acquire), %d at a sample", pr.SteadyPeakHeld, pr.Max, share(pr.SteadyPeakHeld), pr.SteadyPeak)
				}
				if pr.SteadyAtMax > 0 {
					peak += ", at its max " + human.Span(pr.SteadyAtMax)
				}
				peak += fmt.Sprintf("; %d open at most", pr.SteadyPeakOpen)
				out = append(out,
					KV{p + "Initial Pool Size", fmt.Sprintf("%d of %d connections acquired at baseline, %d open (pool %s)", pr.Baseline, pr.Max, pr.BaselineOpen, pr.Name)},
					KV{p + "Peak Pool Size", peak})
			}
		}
		out = append(out, KV{p + "Connection Leaks", connLeakText(f)})
	}
	for _, f := range findingsOf(r, analysis.DetectorPoolExhaustion) {
		p := ""
		if multi {
			p = f.Source + ": "
		}
		if len(f.Pools) == 0 && len(f.RedisPools) == 0 {
			out = append(out, KV{p + "Pool Exhaustion Events", "❔ Not measured: " + f.Unmeasured})
			continue
		}
		icon := verdictIcons[f.Verdict]
		n := 0
		for _, e := range f.Events {
			if e.Kind == "pool-exhausted" {
				n++
			}
		}
		out = append(out, KV{p + "Pool Exhaustion Events", fmt.Sprintf("%s%s: %s", icon, human.Plural(int64(n), "exhaustion event"), f.Summary)})
	}
	return out
}

// poolUnmeasured returns why the System Metrics row Connection Pool has no
// figure, "" when it has one.
func poolUnmeasured(r *analysis.Result) string {
	for _, t := range r.System {
		if t.Component == "Database" && t.Metric == "Connection Pool" && t.Status == analysis.StatusUnknown {
			return t.Why
		}
	}
	return ""
}

func connLeakText(f *analysis.Finding) string {
	switch f.Verdict {
	case analysis.VerdictDetected:
		s := "❌ " + f.Summary
		if len(f.Suspects) > 0 {
			switch sp := f.Suspects[0]; {
			case !strings.Contains(f.Summary, sp.Function):
				s += " (" + sp.Location() + ")"
			case sp.File != "": // the summary names the function already
				s += fmt.Sprintf(" (%s:%d)", sp.File, sp.Line)
			}
		}
		return s
	case analysis.VerdictOK:
		return "✅ None: " + f.Summary
	}
	return "❔ Not measured: " + f.Unmeasured
}

// memoryGrowthText gives the growth from end to end of the steady state
// and the trend fitted to every GC cycle in it, saying which is which, so
// that a shrinking end-to-end figure beside a rising trend (or the
// reverse) reads as what it is.
func memoryGrowthText(m *analysis.MemoryFigures) string {
	shape := "flat within the noise"
	switch {
	case m.PerSecond.Rising():
		shape = "rising"
	case m.PerSecond.Falling():
		shape = "falling"
	}
	s := fmt.Sprintf("%+.1f MB from the start to the end of the steady state (%s); trend %+.1f MB/hour over %d GC cycles (95%% CI %.1f to %.1f: %s), %s per request",
		human.MiB(float64(m.GrowthBytes)), human.Span(m.Steady), m.MBPerHour, m.Points, m.MBPerHourLo, m.MBPerHourHi, shape, human.FractionalBytes(m.PerRequest.Slope))
	if m.EndsDisagree() {
		s += "; the two ends are single GC cycles, the trend weighs them all"
	}
	return s
}

// heapMB is a live heap figure in MB, or "no data" for none: a heap is
// read after a GC cycle, and before the first one there is no figure
// (0 is not a heap size).
func heapMB(bytes uint64) string {
	if bytes == 0 {
		return "no data (no GC cycle had completed)"
	}
	return fmt.Sprintf("%.1f MB", human.MiB(float64(bytes)))
}

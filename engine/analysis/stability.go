package analysis

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/soaklab/soak/engine/internal/human"
)

func verdictText(f *Finding) string {
	switch f.Verdict {
	case VerdictDetected:
		s := "❌ Yes"
		if len(f.Suspects) > 0 {
			s += ": " + f.Suspects[0].Location()
		}
		return s + fmt.Sprintf(" (confidence %.0f%%)", 100*f.Confidence)
	case VerdictWarning:
		return fmt.Sprintf("⚠️ Possibly: %s (confidence %.0f%%)", f.Summary, 100*f.Confidence)
	case VerdictOK:
		return fmt.Sprintf("✅ No: %s (confidence %.0f%%)", f.Summary, 100*f.Confidence)
	}
	return "❔ Not measured: " + f.Unmeasured
}

func stability(r *Result) Stability {
	var st Stability
	perSource := func(d Detector, fn func(f *Finding, prefix string) []KV) []KV {
		var out []KV
		fs := r.findings(d)
		for _, f := range fs {
			prefix := ""
			if len(fs) > 1 {
				prefix = f.Source + ": "
			}
			out = append(out, fn(f, prefix)...)
		}
		return out
	}
	st.Memory = perSource(DetectorMemoryLeak, func(f *Finding, p string) []KV {
		m := f.Memory
		if m == nil {
			return []KV{{p + "Leak Detected", verdictText(f)}}
		}
		return []KV{
			{p + "Initial Memory", fmt.Sprintf("%.1f MB (live heap after GC at the start of the steady state; %.1f MB at baseline)", human.MiB(float64(m.InitialBytes)), human.MiB(float64(m.BaselineBytes)))},
			{p + "Final Memory", fmt.Sprintf("%.1f MB (at the end of the steady state; %.1f MB after the drain)", human.MiB(float64(m.FinalBytes)), human.MiB(float64(m.AfterDrainBytes)))},
			{p + "Memory Growth", memoryGrowthText(m)},
			{p + "Leak Detected", verdictText(f)},
		}
	})
	st.Goroutines = perSource(DetectorGoroutineLeak, func(f *Finding, p string) []KV {
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
	if f := r.Find(DetectorErrorRate, ""); f != nil {
		if f.Errors == nil {
			st.ErrorRate = []KV{{"Trend", verdictText(f)}}
		} else {
			for _, w := range f.Errors.Windows {
				st.ErrorRate = append(st.ErrorRate, KV{w.Label, fmt.Sprintf("%s (%s of %s requests)", human.Percent(w.Rate), human.Count(w.Failures), human.Count(w.Requests))})
			}
			icon := map[Verdict]string{VerdictOK: "✅ ", VerdictWarning: "⚠️ ", VerdictDetected: "❌ "}[f.Verdict]
			st.ErrorRate = append(st.ErrorRate, KV{"Trend", icon + cases(f.Errors.Trend) + ": " + f.Summary})
		}
	}
	if f := r.Find(DetectorRateLimit, ""); f != nil {
		st.RateLimited = []KV{{"Rate Limit Hits", verdictRate(f)}}
		if rf := f.RateLimit; rf != nil && rf.Policy != "" {
			st.RateLimited = append(st.RateLimited, KV{"Policy", rf.Policy})
		}
	}
	return st
}

func verdictRate(f *Finding) string {
	icon := map[Verdict]string{VerdictOK: "✅ ", VerdictWarning: "⚠️ ", VerdictDetected: "❌ ", VerdictUnknown: "❔ "}[f.Verdict]
	return icon + f.Summary
}

func cases(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// findings returns the findings of detector d.
func (r *Result) findings(d Detector) []*Finding {
	var out []*Finding
	for i := range r.Findings {
		if r.Findings[i].Detector == d {
			out = append(out, &r.Findings[i])
		}
	}
	slices.SortFunc(out, func(a, b *Finding) int { return cmp.Compare(a.Source, b.Source) })
	return out
}

func poolStability(r *Result) []KV {
	var out []KV
	multi := len(r.findings(DetectorPoolExhaustion)) > 1
	for _, f := range r.findings(DetectorConnectionLeak) {
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
				out = append(out,
					KV{p + "Initial Pool Size", fmt.Sprintf("%d of %d connections acquired at baseline (pool %s)", pr.Baseline, pr.Max, pr.Name)},
					KV{p + "Peak Pool Size", fmt.Sprintf("%d of %d acquired (%s)", pr.SteadyPeak, pr.Max, human.Percent(float64(pr.SteadyPeak)/float64(max(pr.Max, 1))))})
			}
		}
		out = append(out, KV{p + "Connection Leaks", connLeakText(f)})
	}
	for _, f := range r.findings(DetectorPoolExhaustion) {
		p := ""
		if multi {
			p = f.Source + ": "
		}
		if len(f.Pools) == 0 {
			out = append(out, KV{p + "Pool Exhaustion Events", "❔ Not measured: " + f.Unmeasured})
			continue
		}
		icon := map[Verdict]string{VerdictOK: "✅ ", VerdictWarning: "⚠️ ", VerdictDetected: "❌ "}[f.Verdict]
		n := 0
		for _, e := range f.Events {
			if e.Kind == "pool-exhausted" {
				n++
			}
		}
		out = append(out, KV{p + "Pool Exhaustion Events", fmt.Sprintf("%s%d: %s", icon, n, f.Summary)})
	}
	return out
}

// poolUnmeasured returns why the System Metrics row Connection Pool has no
// figure, "" when it has one.
func poolUnmeasured(r *Result) string {
	for _, t := range r.System {
		if t.Component == "Database" && t.Metric == "Connection Pool" && t.Status == StatusUnknown {
			return t.Why
		}
	}
	return ""
}

func connLeakText(f *Finding) string {
	switch f.Verdict {
	case VerdictDetected:
		s := "❌ " + f.Summary
		if len(f.Suspects) > 0 {
			s += " (" + f.Suspects[0].Location() + ")"
		}
		return s
	case VerdictOK:
		return "✅ None: " + f.Summary
	}
	return "❔ Not measured: " + f.Unmeasured
}

// memoryGrowthText gives the growth from end to end of the steady state
// and the trend fitted to every GC cycle in it, saying which is which, so
// that a shrinking end-to-end figure beside a rising trend (or the
// reverse) reads as what it is.
func memoryGrowthText(m *MemoryFigures) string {
	shape := "flat within the noise"
	switch {
	case m.PerSecond.Rising():
		shape = "rising"
	case m.PerSecond.Falling():
		shape = "falling"
	}
	s := fmt.Sprintf("%+.1f MB from the start to the end of the steady state (%s); trend %+.1f MB/hour over %d GC cycles (95%% CI %.1f to %.1f: %s), %s per request",
		human.MiB(float64(m.GrowthBytes)), human.Span(m.Steady), m.MBPerHour, m.Points, m.MBPerHourLo, m.MBPerHourHi, shape, bytesPerRequest(m.PerRequest.Slope))
	if endsDisagree(m) {
		s += "; the two ends are single GC cycles, the trend weighs them all"
	}
	return s
}

// endsDisagree reports whether the end-to-end change tells another story
// than the trend: as a rate it falls outside the trend's 95 % interval,
// and it goes another way (the heap ends lower on a rising trend, or
// higher on a flat one). A reader comparing the two figures needs to be
// told why.
func endsDisagree(m *MemoryFigures) bool {
	if m.Steady <= 0 || m.Points < minTrendPoints {
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

package analysis

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/probe"
)

// buildReport fills the seed's template from r.
func buildReport(r *Result) *Report {
	rep := &Report{Title: "Sustained Load Test Results", Performance: r.Performance, System: r.System,
		Findings: r.Findings, Events: r.Charts.Events, Notes: r.Notes}
	if r.Partial {
		rep.Title += " (partial: interrupted)"
	}
	if r.Capture != nil {
		rep.Phases = r.Capture.Timing
	}
	res := r.Engine
	rep.Configuration = configurationRows(r)
	rep.Classes = classShares(res)
	rep.Command = executionCommand(r)
	rep.Endpoints = endpointRows(res, r.Thresholds)
	rep.Stability = stability(r)
	if f := r.Find(DetectorErrorRate, ""); f != nil && f.Errors != nil {
		rep.Windows = f.Errors.Windows
	}
	rep.Issues = issues(r)
	rep.Actions = actions(r)
	rep.Capacity, rep.Bottlenecks, rep.Scaling = capacitySections(r)
	rep.NextSteps = nextSteps(r)
	rep.Profiles = profileRefs(r)
	rep.Environment, rep.Hardware, rep.ServiceConfig = environmentRows(&r.Environment)
	return rep
}

func configurationRows(r *Result) []KV {
	res := r.Engine
	rows := []KV{
		{"Date", res.Start.UTC().Format("2006-01-02 15:04:05 UTC")},
		{"Duration", fmt.Sprintf("%s (planned %s)", durationText(res.End.Sub(res.Start)), durationText(res.Duration))},
		{"Target", orText(res.Host, "in-process handler")},
	}
	switch res.Model {
	case "open":
		rows = append(rows, KV{"Load", fmt.Sprintf("open model, %g arrivals/second (peak %d workers)", res.Rate, res.PeakUsers)})
	default:
		rows = append(rows, KV{"Users", fmt.Sprintf("%d concurrent users (peak reached: %d)", res.Users, res.PeakUsers)})
		if res.SpawnRate > 0 {
			rows = append(rows, KV{"Spawn Rate", fmt.Sprintf("%g users/second", res.SpawnRate)})
		} else {
			rows = append(rows, KV{"Spawn Rate", "all users at once"})
		}
	}
	if res.RunID != "" {
		rows = append(rows, KV{"Run", res.RunID})
	}
	if r.Capture != nil && len(r.Capture.Timing) > 0 {
		var parts []string
		for _, s := range r.Capture.Timing {
			parts = append(parts, fmt.Sprintf("%s %s", s.Phase, shortDuration(s.Duration())))
		}
		rows = append(rows, KV{"Phases", strings.Join(parts, ", ")})
	}
	return rows
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// durationText is "30 minutes", "2 minutes 30 seconds", "45 seconds".
func durationText(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	var parts []string
	unit := func(n int, name string) {
		if n == 1 {
			parts = append(parts, "1 "+name)
		} else if n > 1 {
			parts = append(parts, fmt.Sprintf("%d %ss", n, name))
		}
	}
	unit(h, "hour")
	unit(m, "minute")
	unit(s, "second")
	if len(parts) == 0 {
		return "0 seconds"
	}
	return strings.Join(parts, " ")
}

func classShares(res *engine.Result) []ClassShare {
	peak := map[string]int{}
	for _, iv := range res.Intervals {
		for k, v := range iv.Classes {
			peak[k] = max(peak[k], v)
		}
	}
	var weights int
	for _, c := range res.Classes {
		if c.Fixed == 0 {
			weights += c.Weight
		}
	}
	var out []ClassShare
	users := 0
	for _, c := range res.Classes {
		users += peak[c.Name]
	}
	for _, c := range res.Classes {
		cs := ClassShare{Name: c.Name, Users: peak[c.Name]}
		switch {
		case users > 0:
			cs.Percent = 100 * float64(cs.Users) / float64(users)
		case weights > 0 && c.Fixed == 0:
			cs.Percent = 100 * float64(c.Weight) / float64(weights)
		}
		out = append(out, cs)
	}
	return out
}

func executionCommand(r *Result) string {
	if r.Capture != nil && r.Capture.Config != nil && r.Capture.Config.Command != "" {
		return r.Capture.Config.Command
	}
	res := r.Engine
	cmd := "soak run --host " + orText(res.Host, "<host>")
	if res.Model == "open" {
		cmd += fmt.Sprintf(" --rate %g", res.Rate)
	} else {
		cmd += fmt.Sprintf(" --users %d --spawn-rate %g", res.Users, res.SpawnRate)
	}
	return cmd + " --duration " + res.Duration.String() + "   # equivalent command; the run was started from Go"
}

// endpointName is the seed's naming: "/api/whispers [POST]" for other
// methods than GET.
func endpointName(method, name string) string {
	if method == "" || method == http.MethodGet {
		return name
	}
	return name + " [" + method + "]"
}

func endpointRows(res *engine.Result, th Thresholds) []EndpointRow {
	stats := slices.Clone(res.Total.Stats)
	slices.SortStableFunc(stats, func(a, b engine.Stat) int { return cmp.Compare(b.Requests, a.Requests) })
	var out []EndpointRow
	for i := range stats {
		if i == 10 {
			break
		}
		s := &stats[i]
		row := EndpointRow{Method: s.Method, Name: endpointName(s.Method, s.Name), Requests: s.Requests,
			AvgMs: s.Mean() / 1000, P95Ms: float64(s.Percentile(95)) / 1000, P99Ms: float64(s.Percentile(99)) / 1000,
			Errors: s.Failures(), RateLimited: s.RateLimited, Status: StatusPass}
		if (th.P95 > 0 && row.P95Ms > float64(th.P95.Milliseconds())) ||
			(th.ErrorRate > 0 && s.Requests > 0 && float64(row.Errors)/float64(s.Requests) > th.ErrorRate) {
			row.Status = StatusFail
		}
		out = append(out, row)
	}
	return out
}

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
			{p + "Initial Memory", fmt.Sprintf("%.1f MB (live heap after GC at the start of the steady state; %.1f MB at baseline)", mb(float64(m.InitialBytes)), mb(float64(m.BaselineBytes)))},
			{p + "Final Memory", fmt.Sprintf("%.1f MB (at the end of the steady state; %.1f MB after the drain)", mb(float64(m.FinalBytes)), mb(float64(m.AfterDrainBytes)))},
			{p + "Memory Growth", fmt.Sprintf("%+.1f MB over %s: %.1f MB/hour (95%% CI %.1f to %.1f), %s per request",
				mb(float64(m.GrowthBytes)), durationText(m.Steady), m.MBPerHour, m.MBPerHourLo, m.MBPerHourHi, bytesPerRequest(m.PerRequest.Slope))},
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
			{p + "Expected by the load", fmt.Sprintf("%.1f requests in flight (Little's law: %.1f requests/s x %s)", g.ExpectedInFlight, g.ArrivalRate, ms(g.ServerLatency))},
			{p + "Leak Detected", verdictText(f)},
		}
	})
	st.Pool = poolStability(r)
	if f := r.Find(DetectorErrorRate, ""); f != nil {
		if f.Errors == nil {
			st.ErrorRate = []KV{{"Trend", verdictText(f)}}
		} else {
			for _, w := range f.Errors.Windows {
				st.ErrorRate = append(st.ErrorRate, KV{w.Label, fmt.Sprintf("%s (%s of %s requests)", pct(w.Rate), group(w.Failures), group(w.Requests))})
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
		if c := f.Connections; c != nil {
			for _, pr := range c.Pools {
				out = append(out,
					KV{p + "Initial Pool Size", fmt.Sprintf("%d of %d connections acquired at baseline (pool %s)", pr.Baseline, pr.Max, pr.Name)},
					KV{p + "Peak Pool Size", fmt.Sprintf("%d of %d acquired (%s)", pr.SteadyPeak, pr.Max, pct(float64(pr.SteadyPeak)/float64(max(pr.Max, 1))))})
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

func issues(r *Result) []Issue {
	var out []Issue
	for _, f := range r.Findings {
		if f.Severity == SeverityNone {
			continue
		}
		is := Issue{Severity: f.Severity, Title: string(f.Detector) + sourceSuffix(f.Source) + ": " + f.Summary}
		for i, s := range f.Suspects {
			if i == 3 {
				break
			}
			d := "Suspect: " + s.Location()
			if s.Detail != "" {
				d += ": " + s.Detail
			}
			is.Detail = append(is.Detail, d)
		}
		out = append(out, is)
	}
	for _, t := range r.MissedTargets() {
		sev := SeverityHigh
		if t.Component != "" {
			sev = SeverityMedium
		}
		out = append(out, Issue{Severity: sev, Title: fmt.Sprintf("%s target missed: %s (target %s)",
			strings.TrimSpace(t.Component+" "+t.Metric), t.Actual, t.Target)})
	}
	slices.SortStableFunc(out, func(a, b Issue) int { return cmp.Compare(b.Severity, a.Severity) })
	return out
}

func sourceSuffix(s string) string {
	if s == "" {
		return ""
	}
	return " [" + s + "]"
}

func actions(r *Result) Actions {
	var a Actions
	for _, f := range r.Findings {
		if f.NextStep == "" {
			continue
		}
		switch {
		case f.Verdict == VerdictDetected && f.Severity >= SeverityHigh:
			a.Immediate = append(a.Immediate, f.NextStep)
		case f.Verdict == VerdictDetected, f.Verdict == VerdictWarning:
			a.ShortTerm = append(a.ShortTerm, f.NextStep)
		}
	}
	for _, t := range r.MissedTargets() {
		switch t.Metric {
		case "Query Latency":
			a.ShortTerm = append(a.ShortTerm, "Speed up the slowest statements: "+slowestStatements(r)+".")
		case "Hit Rate":
			a.ShortTerm = append(a.ShortTerm, "Raise the cache hit rate ("+t.Actual+"): cache the hot reads, lengthen TTLs that expire under load, or size the cache for the working set.")
		case "CPU Usage":
			a.LongTerm = append(a.LongTerm, "CPU is the first resource to saturate ("+t.Actual+"): scale horizontally (more replicas) or profile CPU (`go tool pprof http://<probe>/debug/pprof/profile?seconds=30`) to cut per-request work.")
		case "P95 Latency", "P99 Latency", "P50 Latency":
			a.ShortTerm = append(a.ShortTerm, fmt.Sprintf("%s is %s (target %s): read the endpoint table for the slow routes, and the pool and query rows for where the time goes.", t.Metric, t.Actual, t.Target))
		}
	}
	if r.Capacity == nil {
		a.LongTerm = append(a.LongTerm, "Find the breaking point with `soak capacity` (a stepped load) to size replicas with the Universal Scalability Law.")
	} else {
		a.LongTerm = append(a.LongTerm, r.Capacity.Scaling.Horizontal)
	}
	a.LongTerm = append(a.LongTerm, "Re-run this soak after each fix, and once for an hour or more: slow leaks show only over time.")
	return a
}

// slowestStatements names the three statements with the highest p95
// over the steady state (the last steady sample's histograms minus the
// first's).
func slowestStatements(r *Result) string {
	type st struct {
		sql string
		p95 time.Duration
	}
	var all []st
	if r.Capture != nil {
		for _, s := range r.Capture.Timeline.Sources {
			for _, stm := range steadyStatements(s) {
				all = append(all, st{stm.SQL, stm.Latency.Quantile(0.95)})
			}
		}
	}
	if len(all) == 0 {
		return "no statement was traced"
	}
	slices.SortFunc(all, func(a, b st) int { return cmp.Compare(b.p95, a.p95) })
	var parts []string
	for i, s := range all {
		if i == 3 {
			break
		}
		sql := s.sql
		if len(sql) > 80 {
			sql = sql[:77] + "..."
		}
		parts = append(parts, fmt.Sprintf("`%s` (p95 %s)", sql, ms(s.p95)))
	}
	return strings.Join(parts, "; ")
}

func nextSteps(r *Result) []Step {
	clean := len(r.Failed()) == 0 && len(r.MissedTargets()) == 0
	return []Step{
		{true, "Execute sustained load test"},
		{true, "Analyze results and update this document (soak did both)"},
		{clean, "Address identified issues"},
		{false, "Re-run test to verify improvements"},
		{r.Capacity != nil, "Document final capacity limits (`soak capacity`)"},
	}
}

func profileRefs(r *Result) []ProfileRef {
	if r.Capture == nil {
		return nil
	}
	var out []ProfileRef
	heap := map[string][2]string{}
	for _, p := range r.Capture.Profiles {
		if p.Path == "" {
			continue
		}
		what := fmt.Sprintf("%s profile of %s at %s", p.Kind, p.Source, p.Moment)
		cmd := "go tool pprof -top " + p.Path
		if p.Kind == ProfileHeap {
			cmd = "go tool pprof -sample_index=inuse_space -top " + p.Path
			h := heap[p.Source]
			switch p.Moment {
			case MomentSteadyStart:
				h[0] = p.Path
			case MomentSteadyEnd:
				h[1] = p.Path
			}
			heap[p.Source] = h
		}
		out = append(out, ProfileRef{Path: p.Path, What: what, Command: cmd})
	}
	for src, h := range heap {
		if h[0] != "" && h[1] != "" {
			out = append(out, ProfileRef{Path: h[1], What: "heap growth of " + src + " over the steady state",
				Command: "go tool pprof -sample_index=inuse_space -top -diff_base " + h[0] + " " + h[1]})
		}
	}
	return out
}

func environmentRows(e *Environment) (env, hw, cfg []KV) {
	val := func(field, v string) string {
		if v != "" {
			return v
		}
		if why, ok := e.Missing[field]; ok {
			return "not measured: " + why
		}
		return "not measured"
	}
	gen := "soak"
	if e.Soak != "" && e.Soak != "(devel)" {
		gen += " " + e.Soak
	}
	env = []KV{
		{"OS", val("OS", e.OS)},
		{"Kernel", val("Kernel", e.Kernel)},
		{"Service Go Version", val("ServiceGo", e.ServiceGo)},
		{"PostgreSQL Version", val("PostgreSQL", e.PostgreSQL)},
		{"Redis Version", val("Redis", e.Redis)},
		{"Load Generator", gen + " (" + e.GoVersion + ")"},
	}
	cpu := val("CPU", e.CPUModel)
	if e.Cores > 0 {
		cpu += fmt.Sprintf(", %d cores", e.Cores)
	}
	ram := val("RAM", "")
	if e.RAMBytes > 0 {
		ram = humanBytes(e.RAMBytes)
	}
	hw = []KV{{"CPU", cpu}, {"RAM", ram}, {"Disk", val("Disk", e.Disk)}, {"Network", val("Network", e.Network)}}
	conf := func(label, key string) KV {
		if v, ok := e.Config[key]; ok && v != "" {
			return KV{label, v}
		}
		if why, ok := e.Missing["Configuration"]; ok {
			return KV{label, "not measured: " + why}
		}
		return KV{label, fmt.Sprintf("not reported by the service (probe.SetConfig(%q, ...))", key)}
	}
	cfg = []KV{
		conf("Workers", probe.ConfigWorkers),
		conf("Database Pool Size", probe.ConfigDBPoolMax),
		conf("Cache Size", probe.ConfigCacheSize),
		conf("Redis Max Memory", probe.ConfigRedisMaxMemory),
		conf("Request Timeout", probe.ConfigRequestTimeout),
		conf("Rate Limit", probe.ConfigRateLimit),
	}
	known := map[string]bool{probe.ConfigWorkers: true, probe.ConfigDBPoolMax: true, probe.ConfigCacheSize: true,
		probe.ConfigRedisMaxMemory: true, probe.ConfigRequestTimeout: true, probe.ConfigRateLimit: true}
	var extra []string
	for k := range e.Config {
		if !known[k] {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	for _, k := range extra {
		cfg = append(cfg, KV{k, e.Config[k]})
	}
	return env, hw, cfg
}

// shortDuration is durationText for a minute and more, else "4.2 s".
func shortDuration(d time.Duration) string {
	if d >= time.Minute {
		return durationText(d)
	}
	return seconds(d) + " s"
}

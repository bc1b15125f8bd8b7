package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/analysis/capacity"
	"github.com/soaklab/soak/engine/internal/human"
)

// issues lists the findings with a severity and the missed targets, most
// severe first (Issues Identified).
func issues(r *analysis.Result) []Issue {
	var out []Issue
	for _, f := range r.Findings {
		if f.Severity == analysis.SeverityNone {
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
		sev := analysis.SeverityHigh
		if t.Component != "" {
			sev = analysis.SeverityMedium
		}
		out = append(out, Issue{Severity: sev, Title: fmt.Sprintf("%s target missed: %s (target %s)",
			strings.TrimSpace(t.Component+" "+t.Metric), t.Actual, t.Target)})
	}
	slices.SortStableFunc(out, func(a, b Issue) int { return cmp.Compare(b.Severity, a.Severity) })
	return out
}

// sourceSuffix is " [source]", or "" for the client side.
func sourceSuffix(s string) string {
	if s == "" {
		return ""
	}
	return " [" + s + "]"
}

// actions sorts the findings' next steps and the missed targets' advice
// into the Recommendations' three horizons.
func actions(r *analysis.Result, c *capacity.Result) Actions {
	var a Actions
	for _, f := range r.Findings {
		if f.NextStep == "" {
			continue
		}
		switch {
		case f.Verdict == analysis.VerdictDetected && f.Severity >= analysis.SeverityHigh:
			a.Immediate = append(a.Immediate, f.NextStep)
		case f.Verdict == analysis.VerdictDetected, f.Verdict == analysis.VerdictWarning:
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
	if c == nil {
		a.LongTerm = append(a.LongTerm, "Find the breaking point with `soak capacity` (a stepped load) to size replicas with the Universal Scalability Law.")
	} else {
		a.LongTerm = append(a.LongTerm, c.Scaling.Horizontal)
	}
	a.LongTerm = append(a.LongTerm, "Re-run this soak after each fix, and once for an hour or more: slow leaks show only over time.")
	return a
}

// slowestStatements names the three statements with the highest p95
// over the steady state (the last steady sample's histograms minus the
// first's).
func slowestStatements(r *analysis.Result) string {
	all := analysis.SlowStatements(r.Capture)
	if len(all) == 0 {
		return "no statement was traced"
	}
	var parts []string
	for i, s := range all {
		if i == 3 {
			break
		}
		sql := s.SQL
		if len(sql) > 80 {
			sql = sql[:77] + "..."
		}
		parts = append(parts, fmt.Sprintf("`%s` (p95 %s)", sql, human.Millis(s.P95)))
	}
	return strings.Join(parts, "; ")
}

// nextSteps are the seed's Next Steps, ticked for what was done: soak
// ran the test and wrote this document; addressing the issues and the
// re-run are the team's, even on a clean run (nothing was addressed);
// the capacity limits are documented when this is a capacity search.
func nextSteps(r *analysis.Result, c *capacity.Result) []Step {
	address := "Address identified issues"
	if n := len(r.Failed()) + len(r.MissedTargets()); n == 0 {
		address += " (none in this run)"
	} else {
		address += " (" + human.Plural(int64(n), "issue") + ": see Issues Identified)"
	}
	return []Step{
		{true, "Execute sustained load test"},
		{true, "Analyze results and update this document (soak did both)"},
		{false, address},
		{false, "Re-run test to verify improvements"},
		{c != nil, "Document final capacity limits (`soak capacity`)"},
	}
}

package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/analysis/capacity"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
)

// mdWriter writes Markdown and keeps the first error.
type mdWriter struct {
	w   io.Writer
	err error
}

func (m *mdWriter) f(format string, args ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.w, format, args...)
	}
}

func (m *mdWriter) kvs(rows []KV) {
	for _, r := range rows {
		m.f("- **%s**: %s\n", cell(r.Key), cell(r.Value))
	}
}

func (m *mdWriter) list(items []string, empty string) {
	if len(items) == 0 {
		m.f("- %s\n", empty)
	}
	for _, it := range items {
		m.f("- %s\n", cell(it))
	}
}

// Markdown returns the Reporter of the run's Markdown report (report.md):
// the seed template's sections ([NewReport]) in its structure, every
// value measured or saying why not, every text escaped for a table cell.
// It needs the run's analysis: a Run without one fails with
// [ErrNoAnalysis].
func Markdown(run Run) Reporter {
	return func(w io.Writer) error {
		if _, err := run.engine(); err != nil {
			return err
		}
		if run.Analysis == nil {
			return ErrNoAnalysis
		}
		return writeMarkdown(w, NewReport(run.Analysis, run.Capacity))
	}
}

// writeMarkdown prints the report in the seed template's structure.
func writeMarkdown(w io.Writer, rep *Report) error {
	m := &mdWriter{w: w}
	m.f("# %s\n\n", cell(rep.Title))
	writeVerdict(m, &rep.Verdict)
	if len(rep.Notes) > 0 {
		m.f("> **Read first**\n")
		for _, n := range rep.Notes {
			m.f("> - %s\n", cell(n))
		}
		m.f("\n")
	}
	m.f("## Test Configuration\n\n")
	m.kvs(rep.Configuration)
	m.f("\n## Test Scenarios\n\n### User Distribution\n")
	if len(rep.Classes) == 0 {
		m.f("- No user class ran.\n")
	}
	for _, c := range rep.Classes {
		m.f("- **%s**: %.0f%% (%s)\n", cell(c.Name), c.Percent, human.Plural(int64(c.Users), "user"))
	}
	m.f("\n## Execution Command\n\n```bash\n%s\n```\n\n", strings.ReplaceAll(rep.Command, "```", "'''"))
	m.f("## Results Summary\n\n### Performance Metrics\n\n| Metric | Target | Actual | Status |\n|--------|--------|--------|--------|\n")
	for _, t := range rep.Performance {
		m.f("| %s | %s | %s | %s |\n", cell(t.Metric), cell(t.Target), cell(actual(t)), t.Status.Icon())
	}
	if rep.Aborted > 0 {
		m.f("\n**Aborted at the stop**: %s requests were in flight when the load ended and were cut at the stop timeout (--stop-timeout); they are in no figure above.\n", human.Count(rep.Aborted))
	}
	m.f("\n### System Metrics\n\n| Component | Metric | Target | Actual | Status |\n|-----------|--------|--------|--------|--------|\n")
	for _, t := range rep.System {
		m.f("| %s | %s | %s | %s | %s |\n", cell(t.Component), cell(t.Metric), cell(t.Target), cell(actual(t)), t.Status.Icon())
	}
	m.f("\n## Endpoint Performance\n\n### Top 10 Endpoints by Request Count\n\n")
	m.f("| Endpoint | Requests | Avg (ms) | P95 (ms) | P99 (ms) | Errors | Status |\n|----------|----------|----------|----------|----------|--------|--------|\n")
	if len(rep.Endpoints) == 0 {
		m.f("| (no request completed) | 0 | - | - | - | 0 | ❔ |\n")
	}
	for _, e := range rep.Endpoints {
		if e.Requests == 0 {
			m.f("| %s (%s) | 0 | - | - | - | 0 | ❔ |\n", cell(e.Name), cell(e.Note))
			continue
		}
		errs := human.Count(e.Errors)
		if e.RateLimited > 0 {
			errs += fmt.Sprintf(" (+%s 429)", human.Count(e.RateLimited))
		}
		icon := "✅"
		if e.Status == analysis.StatusFail {
			icon = "❌"
		}
		m.f("| %s | %s | %.1f | %.1f | %.1f | %s | %s |\n", cell(e.Name), human.Count(e.Requests), e.AvgMs, e.P95Ms, e.P99Ms, errs, icon)
	}
	m.f("\n## Stability Analysis\n\n### Memory Leak Detection\n")
	m.kvs(rep.Stability.Memory)
	m.f("\n### Goroutine Leak Detection\n")
	m.kvs(rep.Stability.Goroutines)
	m.f("\n### Connection Pool Stability\n")
	m.kvs(rep.Stability.Pool)
	m.f("\n### Error Rate Over Time\n")
	m.kvs(rep.Stability.ErrorRate)
	m.f("\n### Latency Over Time\n")
	m.kvs(rep.Stability.Latency)
	m.f("\n### Rate Limiting\n")
	m.kvs(rep.Stability.RateLimited)
	m.f("\n### Restarts\n")
	m.kvs(rep.Stability.Restarts)
	m.f("\n### Users That Quit\n")
	m.kvs(rep.Stability.Users)
	writeStages(m, rep.Stages)
	writeWarnings(m, rep.Warnings)
	m.f("\n### How soak decided\n\n| Detector | Verdict | Confidence | Evidence |\n|----------|---------|------------|----------|\n")
	for _, f := range rep.Findings {
		conf := "-"
		if f.Verdict != analysis.VerdictUnknown {
			conf = fmt.Sprintf("%.0f%%", 100*f.Confidence)
		}
		ev := f.Unmeasured
		if len(f.Evidence) > 0 {
			ev = strings.Join(f.Evidence, " ")
		}
		m.f("| %s%s | %s | %s | %s |\n", f.Detector, sourceSuffix(f.Source), f.Verdict, conf, cell(ev))
	}
	writeIssues(m, rep.Issues)
	m.f("\n## Recommendations\n\n### Immediate Actions\n")
	m.list(rep.Actions.Immediate, "None: no critical or high-severity defect was found.")
	m.f("\n### Short-term Improvements\n")
	m.list(rep.Actions.ShortTerm, "None from this run's evidence.")
	m.f("\n### Long-term Optimizations\n")
	m.list(rep.Actions.LongTerm, "None from this run's evidence.")
	m.f("\n## Capacity Planning\n\n### Current Capacity\n")
	m.kvs(rep.Capacity)
	m.f("\n### Bottlenecks Identified\n")
	for i, b := range rep.Bottlenecks {
		m.f("%d. %s\n", i+1, cell(b))
	}
	m.f("\n### Scaling Recommendations\n")
	m.kvs(rep.Scaling)
	m.f("\n## Next Steps\n\n")
	for i, s := range rep.NextSteps {
		box := " "
		if s.Done {
			box = "x"
		}
		m.f("%d. [%s] %s\n", i+1, box, cell(s.Text))
	}
	writeInstructions(m, rep.Instructions)
	writeMonitoring(m, rep.Monitoring)
	if len(rep.Profiles) > 0 {
		m.f("\n## Profiles\n\nSaved beside this report; open each with the command shown.\n\n| Profile | Command |\n|---------|---------|\n")
		for _, p := range rep.Profiles {
			m.f("| %s | `%s` |\n", cell(p.What), cell(p.Command))
		}
	}
	m.f("\n## Appendix\n\n### Test Environment\n")
	m.kvs(rep.Environment)
	m.f("\n### Hardware Specifications\n")
	m.kvs(rep.Hardware)
	m.f("\n### Configuration\n")
	m.kvs(rep.ServiceConfig)
	return m.err
}

// writeWarnings lists the early warnings, each with when it was first
// warned (see docs/report.md, Early warnings).
func writeWarnings(m *mdWriter, ws []capture.Warning) {
	m.f("\n### Early Warnings\n")
	if len(ws) == 0 {
		m.f("- None: no early warning while the run went.\n")
		return
	}
	for _, w := range ws {
		ended := ""
		if w.EndedRun {
			ended = " **(ended the run: fail-fast)**"
		}
		m.f("- **First warned at %s**%s: %s\n", capture.ClockText(w.At), ended, cell(w.Text()))
	}
}

// actual is a row's Actual cell: with why it was not measured, or why
// its target could not be reached.
func actual(t analysis.Target) string {
	switch {
	case t.Status == analysis.StatusUnknown && t.Why != "":
		return "not measured: " + t.Why
	case t.Status == analysis.StatusUnreachable && t.Why != "":
		return t.Actual + "; " + t.Why
	}
	return t.Actual
}

func writeIssues(m *mdWriter, issues []Issue) {
	m.f("\n## Issues Identified\n")
	for _, sev := range []analysis.Severity{analysis.SeverityCritical, analysis.SeverityHigh, analysis.SeverityMedium} {
		m.f("\n### %s Issues\n", map[analysis.Severity]string{analysis.SeverityCritical: "Critical", analysis.SeverityHigh: "High Priority", analysis.SeverityMedium: "Medium Priority"}[sev])
		n := 0
		for _, is := range issues {
			if is.Severity != sev {
				continue
			}
			n++
			m.f("- %s\n", cell(is.Title))
			for _, d := range is.Detail {
				m.f("  - %s\n", cell(d))
			}
		}
		if n == 0 {
			m.f("- None found.\n")
		}
	}
}

// CapacityMarkdown returns the Reporter of a capacity search's Markdown
// report (`soak capacity`'s capacity.md): the steps, the seed's Capacity
// Planning and Scaling Recommendations.
func CapacityMarkdown(c *capacity.Result) Reporter {
	return func(w io.Writer) error { return writeCapacityMarkdown(w, c) }
}

func writeCapacityMarkdown(w io.Writer, c *capacity.Result) error {
	m := &mdWriter{w: w}
	title := "# Capacity Test Results\n\n"
	if c.Partial {
		title = "# Capacity Test Results (partial: interrupted)\n\n"
	}
	m.f("%s## Steps\n\n| %s | Throughput (RPS) | P50 (ms) | P95 (ms) | P99 (ms) | Error Rate | CPU | Pool | Status |\n|---|---|---|---|---|---|---|---|---|\n", title, cases(c.Unit()))
	for _, s := range c.Steps {
		st := "✅"
		if s.Broke {
			st = "❌ " + cell(s.Why)
		}
		m.f("| %g | %.1f | %.1f | %.1f | %.1f | %s | %s | %s | %s |\n", s.Concurrency(), s.Throughput,
			msf(s.P50), msf(s.P95), msf(s.P99), human.Percent(s.ErrorRate), orDash(s.CPU), orDash(s.PoolUtilization), st)
	}
	cap, bn, sc := capacitySections(&analysis.Result{}, c)
	m.f("\n## Capacity Planning\n\n### Current Capacity\n")
	m.kvs(cap)
	m.f("\n### Bottlenecks Identified\n")
	for i, b := range bn {
		m.f("%d. %s\n", i+1, cell(b))
	}
	m.f("\n### Scaling Recommendations\n")
	m.kvs(sc)
	return m.err
}

// msf is d in milliseconds, with microsecond precision.
func msf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func orDash(f float64) string {
	if f < 0 {
		return "-"
	}
	return human.Percent(f)
}

package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/soaklab/soak/engine/compare"
)

// CompareMarkdown returns the Reporter of c's Markdown report: the
// verdict, the two runs, every check that is not "no significant change"
// then a table of all of them, the findings new, resolved and unchanged,
// the system figures, and how the confidence was computed.
func CompareMarkdown(c *compare.Comparison) Reporter {
	return func(w io.Writer) error {
		var b strings.Builder
		fmt.Fprintf(&b, "# soak compare: %s\n\n", c.Verdict)
		fmt.Fprintf(&b, "**%s**\n\n", cell(c.Headline))
		b.WriteString("| | run | steady state | windows |\n|---|---|---|---|\n")
		for _, s := range []struct {
			side string
			r    compare.RunSummary
		}{{"BASE", c.Base}, {"NEW", c.New}} {
			fmt.Fprintf(&b, "| %s | %s (%s) | %s | %d of %.3g s |\n", s.side, cell(s.r.Label), cell(s.r.ID),
				steadyText(s.r), s.r.Windows, s.r.WindowSeconds)
		}
		if len(c.PlanChanges) > 0 {
			b.WriteString("\n**The plans differ** (compared with --allow-plan-change):\n\n")
			for _, d := range c.PlanChanges {
				fmt.Fprintf(&b, "- %s\n", cell(d))
			}
		}
		b.WriteString("\n## Changes\n\n")
		flagged := 0
		for _, ch := range c.Checks {
			if ch.Status == compare.StatusRegression || ch.Status == compare.StatusImprovement {
				flagged++
				fmt.Fprintf(&b, "- **%s** %s: %s\n", ch.Status, cell(ch.Name()), cell(ch.Evidence()))
			}
		}
		if flagged == 0 {
			b.WriteString("No endpoint changed beyond its threshold with confidence.\n")
		}
		b.WriteString("\n## Endpoints\n\n| endpoint | metric | BASE | NEW | change | 99% interval | confidence | status |\n|---|---|---|---|---|---|---|---|\n")
		for i := range c.Checks {
			ch := &c.Checks[i]
			if ch.Status == compare.StatusInsufficient {
				fmt.Fprintf(&b, "| %s | %s | | | | | | %s: %s |\n", cell(ch.Endpoint), ch.Metric, ch.Status, cell(ch.Why))
				continue
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s..%s | %.1f%% | %s |\n", cell(ch.Endpoint), ch.Metric,
				compareValue(ch, ch.Base), compareValue(ch, ch.New), compareChange(ch, ch.Change),
				compareChange(ch, ch.Low), compareChange(ch, ch.High), 100*ch.Confidence, statusWord(ch))
		}
		b.WriteString("\n## Findings\n\n")
		if len(c.Findings) == 0 {
			b.WriteString("No defect was detected in either run.\n")
		} else {
			b.WriteString("| finding | status | BASE | NEW |\n|---|---|---|---|\n")
			for _, f := range c.Findings {
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(f.Key()), f.Status, cell(dashIfEmpty(f.Base)), cell(dashIfEmpty(f.New)))
			}
		}
		b.WriteString("\n## System\n\n")
		if len(c.System) == 0 {
			b.WriteString("Neither run measured a server-side figure (no probe).\n")
		} else {
			b.WriteString("| figure | BASE | NEW |\n|---|---|---|\n")
			for i := range c.System {
				f := &c.System[i]
				fmt.Fprintf(&b, "| %s | %s | %s |\n", cell(f.Name), f.Text(true), f.Text(false))
			}
		}
		if len(c.Notes) > 0 {
			b.WriteString("\n## Notes\n\n")
			for _, n := range c.Notes {
				fmt.Fprintf(&b, "- %s\n", cell(n))
			}
		}
		fmt.Fprintf(&b, "\n## Method\n\n%s. Thresholds: p50 %s, p95 %s, p99 %s (and at least %v), error rate %s, throughput %s.\n",
			c.Method, pctOrOff(c.Margins.P50Regression, "+"), pctOrOff(c.Margins.P95Regression, "+"),
			pctOrOff(c.Margins.P99Regression, "+"), c.Margins.MinLatencyChange,
			ptOrOff(c.Margins.ErrorRateIncrease), pctOrOff(c.Margins.ThroughputDrop, "-"))
		_, err := io.WriteString(w, b.String())
		return err
	}
}

func steadyText(r compare.RunSummary) string {
	if r.SteadyFrom.IsZero() {
		return "at peak users (no phases)"
	}
	return fmt.Sprintf("%s for %s", r.SteadyFrom.UTC().Format("15:04:05"), r.SteadyTo.Sub(r.SteadyFrom).Round(1e9))
}

// compareValue writes a check's figure in its unit.
func compareValue(ch *compare.Check, v float64) string {
	switch ch.Unit {
	case "ms":
		return fmt.Sprintf("%.3g ms", v)
	case "req/s":
		return fmt.Sprintf("%.4g/s", v)
	}
	return fmt.Sprintf("%.2f%%", 100*v)
}

// compareChange writes a change: a signed percentage, or points for the
// error rate.
func compareChange(ch *compare.Check, v float64) string {
	if ch.Metric == compare.MetricErrorRate {
		return fmt.Sprintf("%+.2f pt", 100*v)
	}
	return fmt.Sprintf("%+.1f%%", 100*v)
}

// statusWord marks regressions and improvements.
func statusWord(ch *compare.Check) string {
	switch ch.Status {
	case compare.StatusRegression:
		return "❌ regression"
	case compare.StatusImprovement:
		return "✅ improvement"
	}
	return string(ch.Status)
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func pctOrOff(v float64, sign string) string {
	if v < 0 {
		return "off"
	}
	return fmt.Sprintf("%s%g%%", sign, 100*v)
}

func ptOrOff(v float64) string {
	if v < 0 {
		return "off"
	}
	return fmt.Sprintf("+%g pt", 100*v)
}

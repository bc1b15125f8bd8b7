package report

import (
	"fmt"
	"strings"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/analysis/capacity"
)

// Verdict is the report's first section: the outcome, the exit code and
// what it means, the findings and targets that set it, and what could
// not be checked and why.
type Verdict struct {
	Outcome  analysis.Outcome `json:"outcome"`
	ExitCode int              `json:"exit_code"`
	// Meaning is the exit code in words (analysis.ExitMeaning, or the
	// capacity search's rule).
	Meaning string `json:"meaning"`
	// Headline is analysis.Result.Headline.
	Headline string `json:"headline"`
	// Reasons are what set the outcome: the defects, the missed targets,
	// the findings that could not decide.
	Reasons []string `json:"reasons,omitempty"`
	// Warnings are the findings below a defect's bar (VerdictWarning):
	// they do not set the outcome, and a healthy verdict lists them so
	// that "passed" is never read as "nothing seen".
	Warnings []string `json:"warnings,omitempty"`
	// NotRun are the checks that could not run (why in each), Skipped
	// those that did not apply, Ran the names of those made.
	NotRun  []analysis.Check `json:"not_run,omitempty"`
	Skipped []analysis.Check `json:"skipped,omitempty"`
	Ran     []string         `json:"ran"`
}

// verdict builds the Verdict of r. A capacity search exits 0 once it ran
// (a step breaking is what it looks for); its verdict says so beside the
// stepped run's outcome.
func verdict(r *analysis.Result, c *capacity.Result) Verdict {
	v := Verdict{Outcome: r.Outcome(), ExitCode: r.ExitCode(), Headline: r.Headline()}
	v.Meaning = analysis.ExitMeaning(v.ExitCode)
	if c != nil {
		v.ExitCode = analysis.ExitOK
		v.Meaning = "the capacity search ran: soak capacity exits 0 whatever a step did; the stepped run, judged as a soak, is " + string(v.Outcome)
	}
	for _, f := range r.Failed() {
		v.Reasons = append(v.Reasons, f.String())
	}
	for _, t := range r.MissedTargets() {
		v.Reasons = append(v.Reasons, fmt.Sprintf("target missed: %s: %s (target %s)", strings.TrimSpace(t.Component+" "+t.Metric), t.Actual, t.Target))
	}
	for _, f := range r.Inconclusive() {
		v.Reasons = append(v.Reasons, f.String())
	}
	for _, f := range r.FindingsWith(analysis.VerdictWarning) {
		v.Warnings = append(v.Warnings, f.String())
	}
	v.NotRun = r.ChecksWith(analysis.CheckNotRun)
	v.Skipped = r.ChecksWith(analysis.CheckSkipped)
	for _, c := range r.ChecksWith(analysis.CheckRan) {
		v.Ran = append(v.Ran, c.Label())
	}
	return v
}

// Icon is the outcome as a mark: ✅, ❌ or ❔.
func (v *Verdict) Icon() string {
	switch v.Outcome {
	case analysis.OutcomeHealthy:
		return "✅"
	case analysis.OutcomeUnhealthy:
		return "❌"
	}
	return "❔"
}

// Class is the outcome's style in the HTML report: ok, fail or warn.
func (v *Verdict) Class() string {
	switch v.Outcome {
	case analysis.OutcomeHealthy:
		return "ok"
	case analysis.OutcomeUnhealthy:
		return "fail"
	}
	return "warn"
}

// Title is "Unhealthy (exit 4)".
func (v *Verdict) Title() string {
	return fmt.Sprintf("%s (exit %d)", cases(string(v.Outcome)), v.ExitCode)
}

// writeVerdict prints the Verdict section in Markdown.
func writeVerdict(m *mdWriter, v *Verdict) {
	m.f("## Verdict\n\n**%s %s**: %s\n\n", v.Icon(), v.Title(), cell(v.Meaning))
	m.f("%s\n", cell(v.Headline))
	if len(v.Reasons) > 0 {
		m.f("\n")
		m.list(v.Reasons, "")
	}
	if len(v.Warnings) > 0 {
		m.f("\n**Warnings** (below the bars of a defect; they do not change the verdict):\n\n")
		m.list(v.Warnings, "")
	}
	if len(v.NotRun) > 0 {
		m.f("\n**Could not be checked** (the run cannot show the service healthy without them):\n\n")
		for _, c := range v.NotRun {
			m.f("- %s: %s\n", cell(c.Label()), cell(c.Why))
		}
	}
	if len(v.Skipped) > 0 {
		var parts []string
		for _, c := range v.Skipped {
			parts = append(parts, fmt.Sprintf("%s (%s)", c.Label(), c.Why))
		}
		m.f("\n**Skipped** (not needed by this run): %s\n", cell(strings.Join(parts, "; ")))
	}
	m.f("\n**Checked** (%d): %s\n\n", len(v.Ran), cell(strings.Join(v.Ran, ", ")))
}

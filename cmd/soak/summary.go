package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/soaklab/soak/cmd/soak/internal/live"
	"github.com/soaklab/soak/engine/analysis"
)

// summarize prints the end of a run on stdout: the JSON or Markdown
// report when --json or --md asked for it, else a short summary (the
// figures, the target rows, the findings that matter, the outputs and
// what the exit code means).
func (c *cli) summarize(r *analysis.Result, searched bool, dir string, written []string, o *runOptions, partial bool, code int) {
	switch {
	case o.json:
		c.printOrWarn(filepath.Join(dir, jsonFile))
		return
	case o.md:
		c.printOrWarn(filepath.Join(dir, markdownFile))
		return
	}
	verdict := verdictLine(r, searched, code, partial)
	if o.locust.replaced && code == o.locust.exitOnError.code {
		verdict = o.locust.replacedLine(r)
	}
	if cmp := o.baselineRun.compared; cmp != nil && code == exitRegression {
		verdict = fmt.Sprintf("exit %d: against --baseline-run %s: %s", code, o.baselineRun.path, cmp.Headline)
	}
	writeSummary(c.stdout, r, dir, written, partial, verdict)
}

func (c *cli) printOrWarn(path string) {
	if err := printReport(c.stdout, path); err != nil {
		fmt.Fprintf(c.stderr, "soak: %v\n", err)
	}
}

// maxSummaryErrors bounds the errors the summary lists (the reports
// have them all).
const maxSummaryErrors = 3

// writeSummary writes the human summary of r; its last line is verdict,
// which explains the exit code the command returns.
func writeSummary(w io.Writer, r *analysis.Result, dir string, written []string, partial bool, verdict string) {
	e := r.Engine
	state := "complete"
	if partial {
		state = "INTERRUPTED: the outputs are partial"
	}
	fmt.Fprintf(w, "\nsoak: run %s against %s: %s\n", e.RunID, e.Host, state)
	t := e.Total.Total()
	secs := e.Total.Duration().Seconds()
	rps := 0.0
	if secs > 0 {
		rps = float64(t.Requests) / secs
	}
	fmt.Fprintf(w, "  %d requests in %s (%.1f/s), failures %d (%s), 429s %d; p50 %s p95 %s p99 %s\n",
		t.Requests, live.Clock(e.Total.Duration()), rps, t.Failures(), live.Percent(t.Failures(), t.Requests),
		t.RateLimited, live.Millis(t.Percentile(50)), live.Millis(t.Percentile(95)), live.Millis(t.Percentile(99)))
	if t.Requests == 0 {
		fmt.Fprintf(w, "  no request completed: is the service answering at %s?\n", e.Host)
	}
	if t.Aborted > 0 {
		fmt.Fprintf(w, "  aborted: %d requests still in flight when the load ended were cut at the stop timeout (--stop-timeout); they are in no figure\n", t.Aborted)
	}
	if q := e.Total.UsersQuit(); q > 0 {
		fmt.Fprintf(w, "  users: %d started, %d quit before the load ended (%s)", e.Total.Started, q, live.Percent(q, e.Total.Started))
		for i, er := range e.Total.Quits {
			if i == maxSummaryErrors {
				break
			}
			fmt.Fprintf(w, "; %dx %s: %s", er.Count, er.Name, er.Error)
		}
		fmt.Fprintln(w)
	}
	for _, er := range e.Total.Errors[:min(len(e.Total.Errors), maxSummaryErrors)] {
		fmt.Fprintf(w, "  error: %dx %s %s: %s\n", er.Count, er.Method, er.Name, er.Error)
	}
	for _, row := range append(append([]analysis.Target{}, r.Performance...), r.System...) {
		if row.Status == analysis.StatusFail || row.Status == analysis.StatusWarning || row.Status == analysis.StatusUnreachable {
			name := strings.TrimSpace(row.Component + " " + row.Metric)
			fmt.Fprintf(w, "  %s %s: %s (target %s)\n", row.Status.Icon(), name, row.Actual, row.Target)
		}
	}
	for _, f := range r.Findings {
		if f.Verdict == analysis.VerdictDetected || f.Verdict == analysis.VerdictWarning || f.Verdict == analysis.VerdictInconclusive {
			fmt.Fprintf(w, "  %s\n", f.String())
			for _, s := range f.Suspects[:min(len(f.Suspects), 3)] {
				fmt.Fprintf(w, "      suspect: %s\n", s.Location())
			}
		}
	}
	if ran := r.ChecksWith(analysis.CheckRan); len(ran) > 0 {
		fmt.Fprintf(w, "  checked (%d): %s\n", len(ran), checkList(ran))
	}
	if skipped := r.ChecksWith(analysis.CheckSkipped); len(skipped) > 0 {
		fmt.Fprintf(w, "  skipped, not needed by this run (%d): %s\n", len(skipped), checkList(skipped))
	}
	for _, ch := range r.ChecksWith(analysis.CheckNotRun) {
		fmt.Fprintf(w, "  could not check %s: %s\n", ch.Label(), ch.Why)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	fmt.Fprintf(w, "  outputs in %s:", dir)
	for _, p := range written {
		if rel, err := filepath.Rel(dir, p); err == nil && filepath.IsLocal(rel) {
			p = rel
		}
		fmt.Fprintf(w, " %s", p)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  %s\n", verdict)
}

// verdictLine explains the exit code the command returns, so that the
// summary's last line and $? always agree: the analysis's headline (the
// outcome and what set it), or why soak itself ended otherwise. searched
// is set for a capacity search, which exits 0 once it ran.
func verdictLine(r *analysis.Result, searched bool, code int, partial bool) string {
	var why string
	switch code {
	case exitInterrupted:
		return fmt.Sprintf("exit %d: interrupted", exitInterrupted)
	case exitOK, exitTargetMissed, exitUnstable, exitInconclusive:
		why = r.Headline()
		if code != r.ExitCode() {
			why = analysis.ExitMeaning(code)
		}
		if searched && code == exitOK {
			// soak capacity exits 0 once its search ran: a step missing
			// its targets is the breaking point it looks for.
			why = "the capacity search ran (a step breaking is what it looks for); the stepped run, judged as a soak: " + why
		}
	default:
		why = "the outputs could not all be written"
	}
	if partial {
		why += ", over a partial run"
	}
	return fmt.Sprintf("exit %d: %s", code, why)
}

// checkList names checks, with their sources: "memory-leak [svc], error-rate".
func checkList(cs []analysis.Check) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Label()
	}
	return strings.Join(names, ", ")
}

package analysis

import (
	"fmt"
	"slices"
	"strings"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
)

// Outcome is what a run showed about the service: one of three, each
// with its exit codes ([Result.Outcome]).
type Outcome string

// The outcomes of a run.
const (
	// OutcomeHealthy: every check the run could make was made, and none
	// found a defect or missed a target (ExitOK).
	OutcomeHealthy Outcome = "healthy"
	// OutcomeUnhealthy: a defect was found (ExitUnstable) or a target
	// missed (ExitTargetMissed).
	OutcomeUnhealthy Outcome = "unhealthy"
	// OutcomeInconclusive: no defect and no missed target, but a check
	// that matters could not run, or its evidence could not decide
	// (ExitInconclusive): the run cannot show the service healthy.
	OutcomeInconclusive Outcome = "inconclusive"
)

// CheckStatus says whether a check was made.
type CheckStatus string

// The statuses of a check.
const (
	// CheckRan: the check was made (whatever it found).
	CheckRan CheckStatus = "ran"
	// CheckNotRun: the check could not be made and the run needed it
	// (no probe answered, no steady state, too few samples): the run is
	// inconclusive.
	CheckNotRun CheckStatus = "could not run"
	// CheckSkipped: the check was not made and the run does not need it:
	// there is nothing to check (the service has no pool, the target is
	// off), the run is not one the check applies to (a latency trend of
	// a smoke run or of load steps), or the user accepted a client-side
	// verdict (Policy.ClientOnly).
	CheckSkipped CheckStatus = "skipped"
)

// Check is one thing a run checks: a detector for a source, a target row,
// the probe, the steady state. [Result.Checks] lists them all.
type Check struct {
	// Name is a detector ("memory-leak"), a target row ("P95 Latency",
	// "Database Connection Pool"), "probe" or "steady state".
	Name string `json:"name"`
	// Source is the probe source (and instance) for a per-source check,
	// "" otherwise.
	Source string      `json:"source,omitempty"`
	Status CheckStatus `json:"status"`
	// Why says why a check did not run (or what it measured over, for
	// the probe and the steady state).
	Why string `json:"why,omitempty"`
}

// Label is the check's name and source: "memory-leak [svc]", "error-rate".
func (c Check) Label() string { return c.Name + sourceTag(c.Source) }

// String is "memory-leak [svc]: could not run: only 3 GC cycles ...".
func (c Check) String() string {
	s := c.Label() + ": " + string(c.Status)
	if c.Why != "" {
		s += ": " + c.Why
	}
	return s
}

// sourceTag is " [source]", or "" for none.
func sourceTag(s string) string {
	if s == "" {
		return ""
	}
	return " [" + s + "]"
}

// Outcome is the outcome that [Result.ExitCode] stands for.
func (r *Result) Outcome() Outcome {
	switch r.ExitCode() {
	case ExitOK:
		return OutcomeHealthy
	case ExitInconclusive:
		return OutcomeInconclusive
	}
	return OutcomeUnhealthy
}

// ChecksWith returns the checks of status st, in report order.
func (r *Result) ChecksWith(st CheckStatus) []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Status == st {
			out = append(out, c)
		}
	}
	return out
}

// FindingsWith returns the findings of verdict v, in report order.
func (r *Result) FindingsWith(v Verdict) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Verdict == v {
			out = append(out, f)
		}
	}
	return out
}

// Inconclusive returns the findings whose evidence could not decide
// ([VerdictInconclusive]).
func (r *Result) Inconclusive() []Finding { return r.FindingsWith(VerdictInconclusive) }

// inconclusive reports whether a check the run needed could not run, or a
// finding could not decide.
func (r *Result) inconclusive() bool {
	return len(r.ChecksWith(CheckNotRun)) > 0 || len(r.Inconclusive()) > 0
}

// Headline is the verdict in one line, for a summary's last line and the
// report's first: the outcome and what set it. It never says that nothing
// was found when a check that matters did not run.
//
//	unhealthy: 2 defects: memory-leak [svc]: detected (99%) ...; restart [svc]: ...
//	mostly rate-limited: 99.9% of the responses were 429s; unhealthy: 1 target missed: Throughput
//	inconclusive: 2 checks could not run: steady state: ...
//	healthy: every check ran (14) and passed
func (r *Result) Headline() string {
	var b strings.Builder
	if f := r.Find(DetectorRateLimit, ""); r.MostlyRateLimited() && f != nil && f.RateLimit != nil {
		fmt.Fprintf(&b, "mostly rate-limited: %s of the responses were 429s; ", human.Percent(f.RateLimit.HitRate))
	}
	switch r.ExitCode() {
	case ExitUnstable:
		failed := r.Failed()
		if len(failed) > 0 {
			fmt.Fprintf(&b, "unhealthy: %s: %s", plural(len(failed), "defect"), findingNames(failed))
		}
		if w := r.FailFast(); w != nil {
			if len(failed) > 0 {
				b.WriteString("; ")
			} else {
				b.WriteString("unhealthy: ")
			}
			fmt.Fprintf(&b, "ended early by fail-fast at %s: %s in %s", capture.ClockText(w.At), w.Kind, w.Where)
		}
	case ExitTargetMissed:
		missed := r.MissedTargets()
		names := make([]string, len(missed))
		for i, t := range missed {
			names[i] = strings.TrimSpace(t.Component + " " + t.Metric)
		}
		fmt.Fprintf(&b, "unhealthy: %s missed: %s", plural(len(missed), "target"), strings.Join(names, ", "))
	case ExitInconclusive:
		b.WriteString("inconclusive: ")
		var parts []string
		if notRun := r.ChecksWith(CheckNotRun); len(notRun) > 0 {
			parts = append(parts, fmt.Sprintf("%s could not run (%s)", plural(len(notRun), "check"), checkNames(notRun)))
		}
		if inc := r.Inconclusive(); len(inc) > 0 {
			parts = append(parts, fmt.Sprintf("%s could not decide (%s)", plural(len(inc), "detector"), findingNames(inc)))
		}
		b.WriteString(strings.Join(parts, "; "))
		b.WriteString(": the run cannot show the service healthy")
	default:
		ran := len(r.ChecksWith(CheckRan))
		if skipped := r.ChecksWith(CheckSkipped); r.Policy.ClientOnly && r.serverSkipped() {
			fmt.Fprintf(&b, "healthy on the client-side checks only (%d ran and passed); the server-side checks did not run (no probe read, accepted): %d skipped",
				ran, len(skipped))
		} else {
			fmt.Fprintf(&b, "healthy: every check that applies ran (%d) and passed", ran)
		}
		if w := r.FindingsWith(VerdictWarning); len(w) > 0 {
			fmt.Fprintf(&b, "; %s below the bars: %s", plural(len(w), "warning"), findingNames(w))
		}
	}
	return b.String()
}

// serverSkipped reports whether the server-side checks were skipped for
// want of a probe.
func (r *Result) serverSkipped() bool {
	for _, c := range r.Checks {
		if c.Name == checkProbe && c.Status == CheckSkipped {
			return true
		}
	}
	return false
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func findingNames(fs []Finding) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = string(f.Detector) + sourceTag(f.Source)
		if len(f.Stage) > 0 {
			names[i] += " in " + strings.Join(f.Stage, ", ")
		}
	}
	return strings.Join(names, ", ")
}

// checkNames lists checks by name and source, at most 4, "and N more".
func checkNames(cs []Check) string {
	var names []string
	for i, c := range cs {
		if i == 4 {
			names = append(names, fmt.Sprintf("and %d more", len(cs)-4))
			break
		}
		names = append(names, c.Label())
	}
	return strings.Join(names, ", ")
}

// Names of the checks that are not a detector or a target.
const (
	checkProbe  = "probe"
	checkSteady = "steady state"
)

// checks lists what the run checked, could not check, and skipped: the
// probes, the steady state, every finding and every target row. It reads
// the findings and targets, so it runs after them.
func (a *analyzer) checks() []Check {
	var out []Check
	srcs := a.sources()
	skipOrMiss := func(why string) (CheckStatus, string) {
		if a.r.Policy.ClientOnly {
			return CheckSkipped, why + "; accepted: a client-side verdict was asked for"
		}
		return CheckNotRun, why
	}
	// The probes: each source configured must have answered.
	polled := a.polledSources()
	if len(polled) == 0 {
		st, why := skipOrMiss("no probe was given (--probe URL): the server-side checks (leaks, pool, CPU, memory) did not run")
		out = append(out, Check{Name: checkProbe, Status: st, Why: why})
	}
	for _, name := range polled {
		c := Check{Name: checkProbe, Source: name, Status: CheckRan}
		if why, ok := a.probeAnswered(name); !ok {
			c.Status, c.Why = skipOrMiss(why)
		} else {
			c.Why = why
		}
		out = append(out, c)
	}
	// The steady state, which every trend needs.
	if len(srcs) > 0 {
		c := Check{Name: checkSteady, Status: CheckRan}
		if sp, ok := a.c.Timing.Span(capture.PhaseSteady); ok && sp.Duration() > 0 {
			c.Why = human.Span(sp.Duration())
		} else {
			c.Status, c.Why = CheckNotRun, "no steady state: the warm-up (the ramp and --settle) covered the whole load; run longer"
		}
		out = append(out, c)
	}
	for _, f := range a.r.Findings {
		out = append(out, a.findingCheck(&f, srcs))
	}
	for _, list := range [][]Target{a.r.Performance, a.r.System} {
		for _, t := range list {
			out = append(out, targetCheck(t))
		}
	}
	return out
}

// polledSources names the sources the run polled: as configured, else as
// the timeline has them.
func (a *analyzer) polledSources() []string {
	if a.c.Config != nil && len(a.c.Config.Sources) > 0 {
		return a.c.Config.Sources
	}
	var out []string
	for _, s := range a.c.Timeline.Sources {
		if p := s.Polled; p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		} else if p == "" && !slices.Contains(out, s.Name) {
			out = append(out, s.Name)
		}
	}
	return out
}

// probeAnswered says whether the source polled as name answered at least
// once, with how often, or why not.
func (a *analyzer) probeAnswered(name string) (string, bool) {
	polls, failed, first := 0, 0, ""
	for _, s := range a.c.Timeline.Sources {
		if s.Name != name && s.Polled != name {
			continue
		}
		polls += s.Polls
		failed += s.Failed
		if first == "" {
			first = s.FirstError
		}
	}
	switch {
	case polls == 0:
		return "never polled (the run ended before its first poll)", false
	case failed == polls:
		return fmt.Sprintf("never answered (%d polls: %s)", polls, first), false
	}
	return fmt.Sprintf("answered %d of %d polls", polls-failed, polls), true
}

// findingCheck is the check a finding stands for: ran, unless its
// detector could not decide (VerdictUnknown): then skipped when there
// was nothing to check (no 429s and no policy, no pool, no probe at all:
// the probe's own check says so) or the check does not apply to the run
// (a latency trend of a smoke run or of load steps), else could not run.
func (a *analyzer) findingCheck(f *Finding, srcs []*capture.SourceTimeline) Check {
	c := Check{Name: string(f.Detector), Source: f.Source, Status: CheckRan}
	if f.Verdict != VerdictUnknown {
		return c
	}
	c.Status, c.Why = CheckNotRun, f.Unmeasured
	switch {
	case f.Detector == DetectorRateLimit, f.Detector == DetectorRestart:
		c.Status = CheckSkipped
	case f.Detector == DetectorLatencyTrend && (len(a.r.Stages) > 0 || a.shortSteady()):
		c.Status = CheckSkipped // load steps (the stages' rows judge them), or a smoke run
	case len(srcs) == 0 && isPerSource(f.Detector):
		c.Status = CheckSkipped
	case f.Detector == DetectorConnectionLeak || f.Detector == DetectorPoolExhaustion:
		if s := a.c.Timeline.Source(f.Source); s != nil && !reportsStores(s) {
			c.Status = CheckSkipped
		}
	}
	return c
}

// isPerSource reports whether detector d reads the probe, source by
// source.
func isPerSource(d Detector) bool {
	for _, x := range detectors {
		if x.name() == d {
			return x.perSource()
		}
	}
	return false
}

// reportsStores reports whether the probe of s ever reported a pgx pool
// or a Redis client (both detectors that read stores judge both).
func reportsStores(s *capture.SourceTimeline) bool {
	for _, p := range s.Points {
		if len(p.Pools) > 0 || len(p.Redis) > 0 {
			return true
		}
	}
	return false
}

// targetCheck is the check a target row stands for: a row not measured
// is a Performance row that could not run (no request completed), or a
// System row with nothing to measure (skipped; the probe's own check says
// when there was no probe at all).
func targetCheck(t Target) Check {
	c := Check{Name: strings.TrimSpace(t.Component + " " + t.Metric), Status: CheckRan}
	switch {
	case t.Status == StatusNoLimit:
		c.Status, c.Why = CheckSkipped, "no target"
	case t.Status != StatusUnknown:
	case t.Component == "" && t.Metric != "Rate Limit Hits":
		c.Status, c.Why = CheckNotRun, t.Why
	default:
		c.Status, c.Why = CheckSkipped, t.Why
	}
	return c
}

package analysis

import (
	"errors"
	"fmt"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis/stage"
	"github.com/soaklab/soak/engine/capture"
)

// Exit codes for a finished run, for the CLI (which owns 1 for errors and
// 2 for usage). [Result.ExitCode] returns the one that applies: a defect
// (4) before a missed target (3) before an inconclusive run (5); 0 only
// when the run was healthy ([Outcome]).
const (
	// ExitOK: healthy: every check the run could make was made, every
	// target met, no defect detected.
	ExitOK = 0
	// ExitTargetMissed: a performance or system target failed (a row of
	// the Results Summary with status ❌).
	ExitTargetMissed = 3
	// ExitUnstable: a defect was detected (memory, goroutine or
	// connection leak, pool exhaustion, rising error rate, a p95 that
	// drifts up at one load level, a restart, users that could not run,
	// 429s far above the policy).
	ExitUnstable = 4
	// ExitInconclusive: no defect and no missed target, but the run
	// could not show the service healthy: a check that matters could not
	// run, or its evidence could not decide ([VerdictInconclusive]).
	ExitInconclusive = 5
)

// ExitMeaning says in a few words what an exit code of [Result.ExitCode]
// means, beside its [Outcome]; "" for a code it does not return.
func ExitMeaning(code int) string {
	switch code {
	case ExitOK:
		return "every check that applies ran, every target was met, no defect was found"
	case ExitTargetMissed:
		return "a target was missed"
	case ExitUnstable:
		return "a defect was found (a leak, exhaustion, rising errors, a latency drift, a restart, users turned away, 429s beyond the policy)"
	case ExitInconclusive:
		return "a check that matters could not run (no probe read, no steady state or too short a one) or could not decide"
	}
	return ""
}

// ErrNoEngineResult is returned by [Analyze] without an engine result.
var ErrNoEngineResult = errors.New("analysis: no engine result")

// Result is a finished (or partial) soak, analysed: what the engine
// measured, what the probes said, and the verdicts. It is plain data,
// JSON-encodable, safe to read concurrently once returned.
type Result struct {
	// Engine is the client side: intervals, totals, errors.
	Engine *engine.Result `json:"-"`
	// Capture is the server side: the probe timeline, phases, leak
	// reports, profiles, environment; each profile and leak report
	// credited to the probe instance that answered it
	// (capture.Capture.Attributed).
	Capture *capture.Capture `json:"capture"`
	// Thresholds are the targets the rows were judged against.
	Thresholds Thresholds `json:"thresholds"`

	// Findings has one finding per detector and source, most severe
	// first.
	Findings []Finding `json:"findings"`
	// Performance and System are the Results Summary's rows.
	Performance []Target `json:"performance"`
	System      []Target `json:"system"`
	// Environment is the Capture's environment completed with what the
	// probes told (service Go, PostgreSQL and Redis versions,
	// configuration).
	Environment capture.Environment `json:"environment"`

	// Checks lists what the run checked, what it could not and why, and
	// what it skipped: the probes, the steady state, every finding and
	// target row. A check that could not run makes the run inconclusive.
	Checks []Check `json:"checks"`
	// Policy is how the run was judged beyond its targets (the options
	// given to Analyze).
	Policy Policy `json:"policy"`

	// Partial is set when the load ended before its planned end: the
	// context was cancelled or Plan.Stop stopped it (see engine.Result.Ending).
	Partial bool `json:"partial"`
	// Stages splits the steady state at each change of the load (the
	// plan's stages, changes made mid-run), each measured and judged on
	// its own (engine/analysis/stage); nil for a run of one load level.
	Stages []stage.Stage `json:"stages,omitempty"`
	// Notes are things the reader must know: an unreachable probe and
	// the rows it left unmeasured, a generator-bound run.
	Notes []string `json:"notes,omitempty"`
}

// Analyze runs every detector over a run's engine result and capture
// (which may be empty: no probe) and judges the targets th (pass
// [DefaultThresholds] for the seed's; a zero field turns a target off),
// as the options say ([StrictTargets], [ClientOnly]). A source whose probe
// restarted is judged instance by instance (capture.Restart). It does not
// modify its inputs.
func Analyze(res *engine.Result, c *capture.Capture, th Thresholds, opts ...Option) (*Result, error) {
	if res == nil {
		return nil, ErrNoEngineResult
	}
	if err := th.Validate(); err != nil {
		return nil, err
	}
	if c == nil {
		c = &capture.Capture{}
	}
	if err := c.Timing.Check(); err != nil {
		return nil, err
	}
	r := &Result{Engine: res, Capture: c.Attributed(), Thresholds: th, Partial: res.Ending() != engine.EndCompleted}
	for _, o := range opts {
		if o != nil {
			o.applyAnalyze(&r.Policy)
		}
	}
	a := newAnalyzer(r)
	r.Environment = a.environment()
	r.Notes = a.notes()
	srcs := a.sources()
	r.Stages = a.stages() // latency-trend judges each stage apart
	for _, d := range detectors {
		switch {
		case !d.perSource():
			r.Findings = append(r.Findings, d.detect(a, nil))
		case len(srcs) == 0:
			r.Findings = append(r.Findings, unknown(d.name(), "", a.noProbeReason()))
		default:
			for _, src := range srcs {
				r.Findings = append(r.Findings, d.detect(a, src))
			}
		}
	}
	applyStages(r)
	sortFindings(r.Findings)
	r.Performance = a.performanceTargets()
	r.System = a.systemTargets()
	r.Checks = a.checks()
	return r, nil
}

// unknown is a finding that could not be measured.
func unknown(d Detector, source, why string) Finding {
	return Finding{Detector: d, Source: source, Verdict: VerdictUnknown, Summary: "not measured: " + why, Unmeasured: why}
}

// Find returns the finding of detector d for source ("" for the client
// side, or the first source when there is one source and source is ""),
// or nil.
func (r *Result) Find(d Detector, source string) *Finding {
	var first *Finding
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.Detector != d {
			continue
		}
		if f.Source == source {
			return f
		}
		if first == nil {
			first = f
		}
	}
	if source == "" {
		return first
	}
	return nil
}

// Failed returns the findings with a detected defect, most severe first.
func (r *Result) Failed() []Finding { return r.FindingsWith(VerdictDetected) }

// MissedTargets returns the Results Summary rows that failed.
func (r *Result) MissedTargets() []Target {
	var out []Target
	for _, list := range [][]Target{r.Performance, r.System} {
		for _, t := range list {
			if t.Status == StatusFail {
				out = append(out, t)
			}
		}
	}
	return out
}

// ExitCode is [ExitUnstable] when a defect was detected, else
// [ExitTargetMissed] when a target failed, else [ExitInconclusive] when a
// check the run needed could not run ([CheckNotRun]) or a finding could
// not decide ([VerdictInconclusive]), else [ExitOK].
func (r *Result) ExitCode() int {
	switch {
	case len(r.Failed()) > 0, r.FailFast() != nil:
		return ExitUnstable
	case len(r.MissedTargets()) > 0:
		return ExitTargetMissed
	case r.inconclusive():
		return ExitInconclusive
	}
	return ExitOK
}

// FailFast returns the early warning that ended the run (fail-fast), or
// nil: such a run is unhealthy (ExitUnstable) whatever its findings.
func (r *Result) FailFast() *capture.Warning {
	if r.Capture == nil {
		return nil
	}
	return r.Capture.FailFast()
}

// Err returns nil when [Result.ExitCode] is ExitOK, else an error listing
// the defects and missed targets, or what could not be checked, one per
// line.
func (r *Result) Err() error {
	if r.ExitCode() == ExitOK {
		return nil
	}
	if r.ExitCode() == ExitInconclusive {
		msg := "analysis: the run cannot show the service healthy: " + r.Headline()
		for _, c := range r.ChecksWith(CheckNotRun) {
			msg += "\n  " + c.String()
		}
		for _, f := range r.Inconclusive() {
			msg += "\n  " + f.String()
		}
		return errors.New(msg)
	}
	msg := "analysis: the service is not healthy under this load:"
	if w := r.FailFast(); w != nil {
		msg += "\n  ended early by fail-fast: " + w.String()
	}
	for _, f := range r.Failed() {
		msg += "\n  " + f.String()
		for _, s := range f.Suspects[:min(len(f.Suspects), 3)] {
			msg += "\n      suspect: " + s.Location()
			if s.Detail != "" {
				msg += ": " + s.Detail
			}
		}
	}
	for _, t := range r.MissedTargets() {
		msg += fmt.Sprintf("\n  target missed: %s %s: %s (target %s)", t.Component, t.Metric, t.Actual, t.Target)
	}
	return errors.New(msg)
}

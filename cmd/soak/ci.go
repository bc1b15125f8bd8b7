package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/soaklab/soak/cmd/soak/internal/ciout"
	"github.com/soaklab/soak/cmd/soak/internal/outpath"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/compare"
	"github.com/soaklab/soak/engine/report"
)

// JUnit test suites, one per kind of check.
const (
	suiteTargets   = "soak targets"
	suiteDetectors = "soak detectors"
	suiteCompare   = "soak compare"
)

// emitCI writes the CI outputs of a command's verdict: the JUnit report
// to junit (when given) and, when GITHUB_ACTIONS=true, an ::error or
// ::warning line on stdout per failed or warning case.
func (c *cli) emitCI(name, junit string, cases []ciout.Case) error {
	if c.getenv(ciout.GitHubEnv) == "true" {
		if err := ciout.Annotate(c.stdout, cases); err != nil {
			return err
		}
	}
	if junit == "" {
		return nil
	}
	err := os.MkdirAll(filepath.Dir(junit), 0o755)
	if err == nil {
		err = report.WriteFile(junit, func(w io.Writer) error { return ciout.WriteJUnit(w, name, cases) })
	}
	if err != nil {
		return fmt.Errorf("--junit %s: %w", junit, err)
	}
	return nil
}

// checkJUnit checks, before anything runs, that the JUnit report can be
// written at path: not a directory, and its directory either writable or
// one soak can make (the nearest existing one writable), as a results
// directory's: `--out results --junit results/junit.xml` is the usual
// pair, and results does not exist yet.
func checkJUnit(path string) error { return outpath.FileMakeable(path) }

// analysisCases are a run's checks: one case per target row (performance
// and system) and one per detector's finding.
func analysisCases(r *analysis.Result) []ciout.Case {
	var out []ciout.Case
	for _, t := range append(append([]analysis.Target{}, r.Performance...), r.System...) {
		k := ciout.Case{Suite: suiteTargets, Name: strings.TrimSpace(t.Component + " " + t.Metric),
			Message: fmt.Sprintf("%s (target %s)", t.Actual, t.Target)}
		switch t.Status {
		case analysis.StatusFail:
			k.Outcome = ciout.Fail
		case analysis.StatusWarning:
			k.Outcome = ciout.Warn
		case analysis.StatusUnknown, analysis.StatusNoLimit, analysis.StatusUnreachable:
			k.Outcome, k.Message = ciout.Skip, fmt.Sprintf("%s: %s", t.Status, t.Why)
		}
		if t.Why != "" && k.Outcome != ciout.Skip {
			k.Evidence = []string{t.Why}
		}
		out = append(out, k)
	}
	for _, f := range r.Findings {
		name := string(f.Detector)
		if f.Source != "" {
			name += " [" + f.Source + "]"
		}
		k := ciout.Case{Suite: suiteDetectors, Name: name, Message: f.Summary, Evidence: f.Evidence}
		switch f.Verdict {
		case analysis.VerdictDetected:
			k.Outcome = ciout.Fail
			if f.NextStep != "" {
				k.Evidence = append(append([]string{}, k.Evidence...), "next: "+f.NextStep)
			}
		case analysis.VerdictWarning, analysis.VerdictInconclusive:
			k.Outcome = ciout.Warn
			k.Message = string(f.Verdict) + ": " + f.Summary
		case analysis.VerdictUnknown:
			k.Outcome, k.Message = ciout.Skip, "not measured: "+f.Unmeasured
		}
		out = append(out, k)
	}
	return out
}

// compareCases are a comparison's checks: one case per endpoint and
// metric, and one per finding new, resolved or unchanged.
func compareCases(cmp *compare.Comparison) []ciout.Case {
	var out []ciout.Case
	for i := range cmp.Checks {
		ch := &cmp.Checks[i]
		k := ciout.Case{Suite: suiteCompare, Name: ch.Name(), Message: string(ch.Status) + ": " + ch.Why}
		if ch.Status != compare.StatusInsufficient {
			k.Evidence = []string{ch.Evidence()}
		}
		switch ch.Status {
		case compare.StatusRegression:
			k.Outcome = ciout.Fail
		case compare.StatusInsufficient, compare.StatusOff:
			k.Outcome = ciout.Skip
		}
		out = append(out, k)
	}
	for _, f := range cmp.Findings {
		k := ciout.Case{Suite: suiteCompare, Name: "finding " + f.Key(), Message: string(f.Status), Evidence: f.Evidence}
		switch f.Status {
		case compare.FindingNew:
			k.Outcome, k.Message = ciout.Fail, "new: "+f.New
		case compare.FindingUnchanged:
			k.Outcome, k.Message = ciout.Warn, "still detected: "+f.New
		case compare.FindingResolved:
			k.Message = "resolved: " + f.Base
		}
		out = append(out, k)
	}
	return out
}

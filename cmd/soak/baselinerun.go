package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/soaklab/soak/cmd/soak/internal/flagx"
	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/compare"
)

// baselineRun is soak run's and soak demo's --baseline-run: an earlier
// run to compare this one with once it is done, and the thresholds.
// (--baseline is the probe's quiet period before the load, a duration, or
// this same run when given a directory: see baselineFlag.)
type baselineRun struct {
	path string
	// alias is the run given as --baseline DIR (see baselineFlag).
	alias string
	flags compareFlags
	// loaded is the baseline, read before the load; compared is the
	// comparison, once the run is done.
	loaded   *compare.Run
	compared *compare.Comparison
}

func (b *baselineRun) register(fs *flag.FlagSet) {
	fs.StringVar(&b.path, "baseline-run", "", "")
	b.flags.register(fs)
}

// compareFlagNames are the flags that go with --baseline-run.
var compareFlagNames = []string{"max-p50-regression", "max-p95-regression", "max-p99-regression", "min-latency-change",
	"max-error-rate-increase", "max-throughput-drop", "allow-plan-change"}

// prepareBaseline reads --baseline-run before any load and refuses a
// baseline whose plan differs from plan (unless --allow-plan-change): a
// comparison that cannot be made is known before the soak, not after.
func (c *cli) prepareBaseline(mode string, o *runOptions, plan engine.Plan) error {
	b := &o.baselineRun
	if b.alias != "" {
		if b.path != "" && b.path != b.alias {
			return usagef("--baseline %s and --baseline-run %s name two runs to compare with; give one", b.alias, b.path)
		}
		b.path = b.alias
	}
	if b.path == "" {
		for _, n := range compareFlagNames {
			if o.given(n) {
				return usagef("--%s goes with --baseline-run DIR (the run to compare with)", n)
			}
		}
		return nil
	}
	if mode == "capacity" {
		return usagef("--baseline-run compares soaks; a capacity search is compared by its capacity.json")
	}
	if err := b.flags.check(); err != nil {
		return err
	}
	base, err := c.loadCompareRun(b.path)
	if err != nil {
		return fmt.Errorf("--baseline-run: %w", err)
	}
	info, err := engine.Describe(plan)
	if err != nil {
		return asUsage(err)
	}
	if d := compare.PlanDifferences(base.Plan, compare.PlanOf(&info)); len(d) > 0 && !b.flags.allowPlanChange {
		return comparePlanError(&compare.PlanError{Differences: d})
	}
	b.loaded = base
	return nil
}

// compareBaseline compares the finished run r with the baseline, writes
// the comparison's outputs into dir and prints its lines; it returns the
// exit code: exitRegression for a regression, unless code says a defect
// (exitUnstable) or soak failed; code otherwise.
func (c *cli) compareBaseline(r *analysis.Result, dir string, o *runOptions, code int) (int, error) {
	b := &o.baselineRun
	now, err := compare.FromAnalysis(dir, r)
	if err != nil {
		return exitError, err
	}
	cmp, err := compare.Compare(b.loaded, now, b.flags.options())
	if err != nil {
		return exitError, fmt.Errorf("--baseline-run: %w", err)
	}
	b.compared = cmp
	written, werr := writeComparison(dir, cmp)
	if !o.json && !o.md {
		writeCompareSummary(c.stdout, cmp, dir, written, "comparison: "+cmp.Headline)
	}
	if werr != nil {
		return exitError, werr
	}
	if cmp.Verdict == compare.VerdictRegression && code != exitUnstable && code != exitError && code != exitInterrupted {
		code = exitRegression
	}
	return code, nil
}

// baselineFlag is --baseline: the probe's quiet period before the load (a
// duration, e.g. 30s), or an earlier run to compare with, as `soak run
// --baseline DIR` (a results directory or a report.json: the same as
// --baseline-run). A value that is neither is refused, naming both.
type baselineFlag struct {
	quiet *flagx.Duration
	run   *baselineRun
}

func (f baselineFlag) String() string {
	if f.quiet == nil {
		return ""
	}
	return f.quiet.String()
}

func (f baselineFlag) Set(s string) error {
	err := f.quiet.Set(s)
	if err == nil {
		return nil
	}
	if st, serr := os.Stat(s); serr == nil && (st.IsDir() || strings.HasSuffix(s, ".json")) {
		f.run.alias = s
		return nil
	}
	return fmt.Errorf("%q is neither a duration (the probe's quiet period before the load, e.g. 30s: %v) nor an earlier run to compare with (a results directory or report.json)", s, err)
}

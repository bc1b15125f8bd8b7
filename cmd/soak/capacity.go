package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/soaklab/soak/cmd/soak/internal/flagx"
	"github.com/soaklab/soak/cmd/soak/internal/live"
	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/analysis/capacity"
	"github.com/soaklab/soak/engine/runner"
	"github.com/soaklab/soak/internal/redact"
)

// Defaults of the capacity steps: 10, 20, ... 200 users.
const (
	defaultStartUsers = 10
	defaultStepUsers  = 10
	defaultMaxUsers   = 200
)

// capacityOptions are soak capacity's own flags.
type capacityOptions struct {
	startUsers, stepUsers, maxUsers int
	startRate, stepRate, maxRate    flagx.Rate
	stepDuration                    flagx.Duration
	minGain                         flagx.Fraction
}

func (k *capacityOptions) register(fs *flag.FlagSet) {
	fs.IntVar(&k.startUsers, "start-users", defaultStartUsers, "")
	fs.IntVar(&k.stepUsers, "step-users", defaultStepUsers, "")
	fs.IntVar(&k.maxUsers, "max-users", defaultMaxUsers, "")
	fs.Var(&k.startRate, "start-rate", "")
	fs.Var(&k.stepRate, "step-rate", "")
	fs.Var(&k.maxRate, "max-rate", "")
	fs.Var(&k.stepDuration, "step-duration", "")
	fs.Var(&k.minGain, "min-gain", "")
}

// steps returns the users or the rates of the steps.
func (k *capacityOptions) steps(o *runOptions) ([]int, []float64, error) {
	open := k.startRate.IsSet || k.stepRate.IsSet || k.maxRate.IsSet
	if open {
		if o.given("start-users", "step-users", "max-users") {
			return nil, nil, usagef("--start-rate/--step-rate/--max-rate (arrivals) with --start-users/--step-users/--max-users: choose one")
		}
		if !k.startRate.IsSet || !k.stepRate.IsSet || !k.maxRate.IsSet {
			return nil, nil, usagef("rate steps need --start-rate, --step-rate and --max-rate")
		}
		var rates []float64
		for r := k.startRate.PerSecond; r <= k.maxRate.PerSecond*(1+1e-9) && len(rates) < runner.MaxCapacitySteps; r += k.stepRate.PerSecond {
			rates = append(rates, r)
		}
		if len(rates) < 2 {
			return nil, nil, usagef("--start-rate %v to --max-rate %v: fewer than 2 steps", k.startRate.String(), k.maxRate.String())
		}
		return nil, rates, nil
	}
	switch {
	case k.startUsers < 1:
		return nil, nil, usagef("--start-users %d: at least 1", k.startUsers)
	case k.stepUsers < 1:
		return nil, nil, usagef("--step-users %d: at least 1", k.stepUsers)
	case k.maxUsers < k.startUsers+k.stepUsers:
		return nil, nil, usagef("--max-users %d: below --start-users + --step-users (%d): fewer than 2 steps", k.maxUsers, k.startUsers+k.stepUsers)
	case k.maxUsers > engine.MaxUsers:
		return nil, nil, usagef("--max-users %d: at most %d", k.maxUsers, engine.MaxUsers)
	}
	users := runner.StepUsers(k.startUsers, k.stepUsers, k.maxUsers)
	return users, nil, nil
}

func (c *cli) cmdCapacity(ctx context.Context, args []string) (int, error) {
	var o runOptions
	var k capacityOptions
	if err := o.parseRunFlags("capacity", args, &k); err != nil {
		return exitUsage, err
	}
	for _, name := range []string{"users", "u", "rate", "stages", "duration", "run-time", "t", "baseline", "drain", "max-workers"} {
		if o.given(name) {
			return exitUsage, usagef("--%s: soak capacity sets the load with its steps (--start-users, --step-users, --max-users, --step-duration)", name)
		}
	}
	if o.given("web", "web-token", "web-read-only", "web-keep") {
		return exitUsage, usagef("--web: soak capacity has no web view (soak run and soak demo have)")
	}
	if o.given("fail-fast") {
		return exitUsage, usagef("--fail-fast: soak capacity ends its search at the breaking point, not at an early warning; use it with soak run or soak demo")
	}
	if o.given("exit-code-on-error") {
		return exitUsage, usagef("--exit-code-on-error: soak capacity's steps fail on purpose (the breaking point); it exits 0 once its search ran")
	}
	users, rates, err := k.steps(&o)
	if err != nil {
		return exitUsage, err
	}
	if err := o.checkOutputs(); err != nil {
		return exitUsage, err
	}
	pctx, cancel := c.preparing(ctx)
	defer cancel()
	sc, err := o.loadScenario(pctx)
	if err != nil {
		return prepared(pctx, exitUsage, err)
	}
	// The plan is built for the first step; Capacity replaces its load.
	o.users, o.set["users"] = 1, true
	if rates != nil {
		o.users, o.set["users"] = 0, false
		o.rate, o.set["rate"] = flagx.Rate{PerSecond: rates[0], IsSet: true}, true
	}
	o.duration = flagx.Duration{D: runner.DefaultStepDuration, IsSet: true}
	j, err := c.newJob("capacity", &o, sc, nil)
	if err != nil {
		return prepared(pctx, exitUsage, err)
	}
	if err := preflight(pctx, j.plan.Host); err != nil {
		return prepared(pctx, exitError, err)
	}
	if err := c.checkProbes(pctx, j); err != nil {
		return prepared(pctx, exitUsage, err)
	}
	s, err := c.begin(ctx, j)
	if err != nil {
		return beginFailed(err)
	}
	cr, err := runner.Capacity(s.ctx, runner.CapacityConfig{
		Plan: j.plan, Users: users, Rates: rates, StepDuration: k.stepDuration.D, SpawnRate: o.spawnRate,
		Settle: o.settle.D, MinGain: k.minGain.V, Thresholds: &j.th, Sources: j.sources, PollInterval: o.probeInterval.D,
		OnStep: func(st capacity.Step) { s.progress.Note(stepLine(st)) },
		Dir:    s.out, Record: s.dir.Capture(), OnSample: s.onSample, Command: redact.Args(c.argv),
	})
	if err != nil {
		s.release()
		return exitUsage, asUsage(err)
	}
	r, err := analysis.Analyze(cr.Engine, cr.Capture, j.th, analysis.WithPolicy(j.policy))
	if err != nil {
		s.release()
		return exitError, err
	}
	// cr.Partial already says whether a Ctrl-C cut the search short (the
	// engine's ending, graceful or not); an interrupt after its last step
	// leaves the search whole and only the outputs partial.
	interrupted := s.interrupted(ctx) || cr.Partial
	r.Partial = interrupted
	if err := saveCapacity(s.out, cr); err != nil {
		fmt.Fprintf(c.stderr, "soak capacity: %v\n", err)
	}
	code := exitOK
	if interrupted {
		code = exitInterrupted
	}
	if code, err = s.finish(c, r, cr, interrupted, &o, code); err != nil {
		return code, err
	}
	fmt.Fprintln(c.stdout, capacityLine(cr))
	return code, nil
}

// stepLine describes a measured step for the live view.
func stepLine(st capacity.Step) string {
	what := fmt.Sprintf("%d users", st.Users)
	if st.Users == 0 {
		what = fmt.Sprintf("%g arrivals/s", st.Rate)
	}
	line := fmt.Sprintf("step %s: %.1f req/s, p95 %s, errors %.2f%%", what, st.Throughput,
		live.Millis(st.P95.Microseconds()), 100*st.ErrorRate)
	if st.Broke {
		line += ": breaking point (" + st.Why + ")"
	}
	return line
}

// capacityLine sums a capacity search up.
func capacityLine(cr *capacity.Result) string {
	s := fmt.Sprintf("capacity: max %d users and %.1f req/s within the targets", cr.MaxUsers, cr.MaxRPS)
	if cr.Model == "rate" {
		s = fmt.Sprintf("capacity: max %g arrivals/s and %.1f req/s within the targets", cr.MaxRate, cr.MaxRPS)
	}
	if cr.Broke {
		s += fmt.Sprintf("; breaking point %g (%s)", cr.BreakingPoint, cr.Why)
	} else {
		s += "; no step broke: raise --max-users (or --max-rate)"
	}
	return s
}

// saveCapacity writes capacity.json beside the other records, for soak
// report.
func saveCapacity(dir string, cr *capacity.Result) error {
	b, err := json.MarshalIndent(cr, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, capacityFile), append(b, '\n'), 0o644)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/soaklab/soak/probe"
)

// probeCheckTimeout bounds the first read of each probe, before the run.
const probeCheckTimeout = 5 * time.Second

// checkProbes reads every --probe once before anything runs: a probe that
// refuses soak (401, 403: the token is missing or wrong), answers with
// another error, or that nothing answers, is a configuration error (exit
// 2), since the run would check nothing on the server side. With
// --probe-optional the run goes on, saying so on stderr, and is judged on
// what it could check.
func (c *cli) checkProbes(ctx context.Context, j *job) error {
	for _, src := range j.sources {
		pctx, cancel := context.WithTimeout(ctx, probeCheckTimeout)
		_, err := src.Snapshot(pctx)
		cancel()
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		why := probeProblem(src.Name(), err)
		if j.policy.ClientOnly {
			fmt.Fprintf(c.stderr, "soak: warning: %s; going on without it (--probe-optional): its server-side checks will be skipped unless it answers later\n", why)
			continue
		}
		return usagef("%s; or pass --probe-optional to run without it", why)
	}
	return nil
}

// probeProblem says what is wrong with the probe called name, from the
// error of its first read, and what to do.
func probeProblem(name string, err error) string {
	var se *probe.StatusError
	switch {
	case errors.As(err, &se) && se.Unauthorized():
		return fmt.Sprintf("--probe %s refused soak: %s: %s (give the probe's token with --probe-token or $%s)",
			name, se.Status, se.Message, ProbeTokenEnv)
	case errors.As(err, &se):
		return fmt.Sprintf("--probe %s answered %s: %s (is it the URL of the probe's admin handler?)", name, se.Status, se.Message)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("--probe %s did not answer within %v", name, probeCheckTimeout)
	}
	return fmt.Sprintf("--probe %s does not answer (%v): is the service's probe listening there?", name, err)
}

// warnPlan says on stderr, before the run, what the plan itself keeps the
// run from showing: a throughput target above what its users and waits
// can send (the report will call it unreachable by this plan; exit 3 only
// with --strict-targets), and the server-side checks that will not run
// without a probe.
func (c *cli) warnPlan(j *job) {
	if bound, ok := j.plan.MaxThroughput(); ok && j.th.Throughput > 0 && j.th.Throughput >= bound {
		then := "the Throughput row will read \"unreachable by this plan\", not a failure (--strict-targets makes it one)"
		if j.policy.StrictTargets {
			then = "with --strict-targets the run will miss it (exit 3)"
		}
		fmt.Fprintf(c.stderr, "soak: warning: the throughput target (> %g RPS) is unreachable by this plan: its users and waits send at most %.1f requests/s (Little's law, whatever the service does); %s. More users or shorter waits (--wait) can reach it.\n",
			j.th.Throughput, bound, then)
	}
	if len(j.sources) == 0 && !j.policy.ClientOnly {
		fmt.Fprintf(c.stderr, "soak: note: no --probe: the server-side checks (leaks, pool, CPU, memory) will not run, so the verdict can be no better than inconclusive (exit 5); give the service's probe with --probe URL, or pass --probe-optional to accept a verdict on the client-side checks alone\n")
	}
}

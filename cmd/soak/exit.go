package main

import (
	"errors"
	"fmt"

	"github.com/soaklab/soak/engine/analysis"
)

// Exit codes, documented in docs/cli.md and in `soak help`.
const (
	exitOK           = analysis.ExitOK           // 0: healthy: every check that applies ran and passed
	exitError        = 1                         // soak could not do its job (host down, I/O, ...)
	exitUsage        = 2                         // bad flags, arguments, scenario or probe configuration
	exitTargetMissed = analysis.ExitTargetMissed // 3: a performance or system target failed
	exitUnstable     = analysis.ExitUnstable     // 4: a defect: a leak, exhaustion, rising errors, a restart, ...
	exitInconclusive = analysis.ExitInconclusive // 5: a check that matters could not run or decide
	exitRegression   = 6                         // soak compare, run --baseline-run: NEW regressed against BASE
	exitInterrupted  = 130                       // stopped by Ctrl-C or SIGTERM; outputs are partial
)

// exitCodes is the table `soak help` prints.
const exitCodes = `Exit codes:
  0    healthy: every check that applies ran, every target was met, no defect was found
  1    soak could not do its job (host not answering, an output failed, ...)
  2    usage or configuration error: unknown flag, bad value, bad scenario (named by
       file:line:column), an output path soak cannot write, a --probe that refuses soak's
       token (401, 403) or does not answer (unless --probe-optional); checked before the load
  3    unhealthy: a target was missed (a Results Summary row failed: latency, errors,
       throughput served, ...); a target the plan cannot reach only with --strict-targets
  4    unhealthy: a defect was found: a leak, pool exhaustion, rising errors, a latency that
       drifts up at one load level, a restart, users that quit (over 1%), 429s far beyond the
       declared policy (or over 5% without one); or --fail-fast ended the run at an early warning
  5    inconclusive: no defect and no missed target, but the run cannot show the service
       healthy: no probe read (unless --probe-optional), no steady state or one too short for a
       detector, responses mostly 429s as the policy predicts; the summary says which checks
  6    soak compare, or run/demo --baseline-run: NEW regressed against BASE beyond a threshold,
       with confidence, or has a new finding (docs/compare.md); a run's 4 stays 4
  130  interrupted by Ctrl-C or SIGTERM: the first stops the load and lets requests in flight
       finish (--stop-timeout), then writes every output marked partial; a second exits at once
`

// usageError is a mistake on the command line; it exits with exitUsage.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usageError.
func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// asUsage wraps err as a usage error (nil stays nil).
func asUsage(err error) error {
	if err == nil {
		return nil
	}
	return &usageError{err}
}

// isUsage reports whether err is a usage error.
func isUsage(err error) bool {
	var u *usageError
	return errors.As(err, &u)
}

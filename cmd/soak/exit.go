package main

import (
	"errors"
	"fmt"

	"github.com/soaklab/soak/engine/analysis"
)

// Exit codes, documented in docs/cli.md and in `soak help`.
const (
	exitOK           = 0                         // done: every target met, nothing unstable
	exitError        = 1                         // soak could not do its job (host down, I/O, ...)
	exitUsage        = 2                         // bad flags, arguments or scenario
	exitTargetMissed = analysis.ExitTargetMissed // 3: a performance or system target failed
	exitUnstable     = analysis.ExitUnstable     // 4: a leak, pool exhaustion or rising errors
	exitInterrupted  = 130                       // stopped by Ctrl-C or SIGTERM; outputs are partial
)

// exitCodes is the table `soak help` prints.
const exitCodes = `Exit codes:
  0    the run completed: every target met, no leak or exhaustion found
  1    soak could not do its job (host not answering, an output failed, ...)
  2    usage error: unknown flag, bad value, bad scenario (named by file:line:column), an
       output path soak cannot write (checked before anything runs)
  3    a target was missed (a Results Summary row failed: latency, errors, throughput, ...)
  4    the service is unstable: a leak, pool exhaustion or rising error rate was detected
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

package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/soaklab/soak/cmd/soak/internal/live"
	"github.com/soaklab/soak/engine/analysis"
)

// locustFlags are Locust's flags that soak takes with Locust's meaning
// (-H/--host is the host flag itself), or refuses, naming docs/locust.md.
type locustFlags struct {
	onlySummary bool
	exitOnError exitCodeFlag
	logLevel    logLevelFlag
	resetStats  bool

	// replaced is set once a run's exit code 0 became exitOnError's: the
	// summary then says why.
	replaced bool
}

func (l *locustFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&l.onlySummary, "only-summary", false, "")
	fs.Var(&l.exitOnError, "exit-code-on-error", "")
	fs.Var(&l.logLevel, "loglevel", "")
	fs.Var(&l.logLevel, "L", "")
	fs.BoolVar(&l.resetStats, "reset-stats", false, "")
}

// check refuses the Locust flags soak has no meaning for.
func (l *locustFlags) check() error {
	if l.resetStats {
		return usagef("--reset-stats: soak keeps every request and needs no reset: its report judges the steady " +
			"state apart from the ramp-up (the warm-up phase, --settle); see docs/locust.md#flags")
	}
	return nil
}

// verbosity is what the live view writes under --only-summary and -L.
func (l *locustFlags) verbosity() live.Verbosity {
	switch {
	case l.logLevel.level >= levelWarning:
		return live.WarningsOnly
	case l.onlySummary:
		return live.NoFigures
	}
	return live.Everything
}

// exitCode applies --exit-code-on-error N to a run's exit code: a run
// whose verdict is 0 but that recorded a failed request exits N, as
// Locust does. A missed target, an unstable service and an interruption
// keep their codes: they say more.
func (l *locustFlags) exitCode(r *analysis.Result, code int) int {
	if !l.exitOnError.set || code != exitOK || failures(r) == 0 {
		return code
	}
	l.replaced = l.exitOnError.code != exitOK
	return l.exitOnError.code
}

// replacedLine is the summary's last line when exitCode replaced 0.
func (l *locustFlags) replacedLine(r *analysis.Result) string {
	n := failures(r)
	return fmt.Sprintf("exit %d: %s failed (--exit-code-on-error %d); every target met otherwise",
		l.exitOnError.code, plural(n, "request"), l.exitOnError.code)
}

// failures is the number of failed requests of a run (429s apart).
func failures(r *analysis.Result) int64 {
	if r.Engine == nil || r.Engine.Total == nil {
		return 0
	}
	t := r.Engine.Total.Total()
	return t.Failures()
}

// plural is "1 request", "2 requests".
func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.FormatInt(n, 10) + " " + word + "s"
}

// exitCodeFlag is --exit-code-on-error: an exit code soak does not give
// another meaning.
type exitCodeFlag struct {
	code int
	set  bool
}

func (e *exitCodeFlag) String() string {
	if !e.set {
		return ""
	}
	return strconv.Itoa(e.code)
}

func (e *exitCodeFlag) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	switch {
	case err != nil:
		return fmt.Errorf("not a whole number: an exit code, 0 or 1 (Locust's default) or 6-125")
	case n >= exitUsage && n <= 5:
		return fmt.Errorf("%d means something else to soak (2 usage, 3 target missed, 4 unstable, 5 reserved): "+
			"choose 0, 1 or 6-125; docs/cli.md#exit-codes", n)
	case n < 0 || n > 125:
		return fmt.Errorf("%d is not an exit code soak can give: choose 0, 1 or 6-125", n)
	}
	e.code, e.set = n, true
	return nil
}

// The levels of -L/--loglevel, Locust's (Python's logging).
const (
	levelDebug = iota
	levelInfo
	levelWarning
	levelError
	levelCritical
)

var levelNames = []string{"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}

// logLevelFlag is -L/--loglevel.
type logLevelFlag struct{ level int }

func (l *logLevelFlag) String() string { return levelNames[l.level] }

func (l *logLevelFlag) Set(s string) error {
	for i, n := range levelNames {
		if strings.EqualFold(strings.TrimSpace(s), n) || i == levelWarning && strings.EqualFold(s, "WARN") {
			l.level = i
			return nil
		}
	}
	return fmt.Errorf("not a level: DEBUG, INFO (the default), WARNING, ERROR or CRITICAL")
}

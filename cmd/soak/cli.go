package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"github.com/soaklab/soak/cmd/soak/internal/flagerr"
	"github.com/soaklab/soak/engine/scenario"
	"github.com/soaklab/soak/internal/redact"
)

// cli is one invocation of soak: its streams and environment. Only main
// builds it from the process; tests build their own.
type cli struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	tty            bool     // stderr is a terminal: redraw the live view
	argv           []string // the whole command line, for the report (redacted)
	// stop is closed by the first Ctrl-C or SIGTERM (see interrupts); the
	// second cancels the context given to main. Nil: never.
	stop <-chan struct{}
	// resultsDir is the results directory once a run has made it, for
	// main's last words after a second Ctrl-C; nil before.
	resultsDir atomic.Pointer[string]
}

// command is a subcommand.
type command struct {
	name, summary string
	usage         string // the help text, ending with examples
	run           func(c *cli, ctx context.Context, args []string) (int, error)
	// graceful commands handle the first Ctrl-C themselves (cli.stop);
	// the others are cancelled by it.
	graceful bool
}

// commands lists the subcommands in the order `soak help` shows them. It
// is filled in init because help refers to it.
var commands []*command

func init() {
	commands = []*command{
		{name: "run", summary: "soak a service: load it, read its probes, report (the default command)", usage: runUsage, run: (*cli).cmdRun, graceful: true},
		{name: "demo", summary: "soak the built-in demo service in process (or --serve it)", usage: demoUsage, run: (*cli).cmdDemo, graceful: true},
		{name: "capacity", summary: "step the load up to the breaking point and fit a scalability model", usage: capacityUsage, run: (*cli).cmdCapacity, graceful: true},
		{name: "validate", summary: "check scenario files and say what they would do", usage: validateUsage, run: (*cli).cmdValidate},
		{name: "worker", summary: "join a distributed run: load a segment of a coordinator's plan", usage: workerUsage, run: (*cli).cmdWorker, graceful: true},
		{name: "k8s", summary: "write Kubernetes manifests for a distributed run (an Indexed Job of workers)", usage: k8sUsage, run: (*cli).cmdK8s},
		{name: "compare", summary: "compare two runs: regressions per endpoint with confidence, findings new and resolved", usage: compareUsage, run: (*cli).cmdCompare},
		{name: "report", summary: "rebuild every output from a results directory", usage: reportUsage, run: (*cli).cmdReport},
		{name: "version", summary: "print soak's version", usage: versionUsage, run: (*cli).cmdVersion},
		{name: "help", summary: "show help for soak or one command", usage: helpUsage, run: (*cli).cmdHelp},
	}
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// main runs the command line args (without the program name) and returns
// the exit code. It never panics on bad input and never calls os.Exit.
func (c *cli) main(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, mainUsage())
		return exitUsage
	}
	name, rest := args[0], args[1:]
	if strings.HasPrefix(name, "-") {
		if name == "-h" || name == "-help" || name == "--help" {
			fmt.Fprint(c.stdout, mainUsage())
			return exitOK
		}
		if name == "-version" || name == "--version" {
			name, rest = "version", nil
		} else {
			name, rest = "run", args // soak --users 10 ... is soak run --users 10 ...
		}
	}
	cmd := lookup(name)
	if cmd == nil {
		fmt.Fprintf(c.stderr, "soak: unknown command %q%s\nRun 'soak help' for the commands.\n", name, suggest(name))
		return exitUsage
	}
	if !cmd.graceful {
		var cancel context.CancelFunc
		ctx, cancel = cancelOnStop(ctx, c.stop)
		defer cancel()
	}
	code, err := cmd.run(c, ctx, rest)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(c.stdout, cmd.usage)
		return exitOK
	case isUsage(err):
		var lf *locustfileError
		if errors.As(err, &lf) && lf.sketch != nil {
			_, _ = c.stdout.Write(lf.sketch)
		}
		fmt.Fprintf(c.stderr, "soak %s: %s\nRun 'soak help %s' for usage.\n", cmd.name, redact.Error(err), cmd.name)
		return exitUsage
	case err != nil:
		fmt.Fprintf(c.stderr, "soak %s: %s\n", cmd.name, redact.Error(err))
		if code == exitOK {
			code = exitError
		}
	}
	return code
}

// suggest returns ` (did you mean "run"?)` for a near miss of a command:
// a prefix either way, or what scenario.Suggest finds close.
func suggest(name string) string {
	names := make([]string, len(commands))
	for i, c := range commands {
		if strings.HasPrefix(c.name, name) || strings.HasPrefix(name, c.name) {
			return fmt.Sprintf(" (did you mean %q?)", c.name)
		}
		names[i] = c.name
	}
	if s := scenario.Suggest(name, names); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// newFlagSet returns a FlagSet that reports errors (not exits) and is
// silent: the command prints its own usage.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("soak "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parse parses args into fs and returns a usageError for a bad flag
// (flag.ErrHelp for -h), worded by flagerr.Reword. Arguments after the flags
// are returned.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, asUsage(flagerr.Reword(fs, args, err))
	}
	return fs.Args(), nil
}

// cmdHelp prints the help of soak or of one command.
func (c *cli) cmdHelp(_ context.Context, args []string) (int, error) {
	args, err := parse(newFlagSet("help"), args)
	if err != nil {
		return exitUsage, err
	}
	switch len(args) {
	case 0:
		fmt.Fprint(c.stdout, mainUsage())
		return exitOK, nil
	case 1:
		if cmd := lookup(args[0]); cmd != nil {
			fmt.Fprint(c.stdout, cmd.usage)
			return exitOK, nil
		}
		return exitUsage, usagef("no command %q%s", args[0], suggest(args[0]))
	}
	return exitUsage, usagef("help takes one command name, got %d arguments", len(args))
}

// mainUsage is `soak help`.
func mainUsage() string {
	var b strings.Builder
	b.WriteString(`soak tells whether a service stays healthy under sustained load, and if not, why.

Usage:
  soak <command> [flags]
  soak [run flags]            (run is the default command)

Commands:
`)
	for _, cmd := range commands {
		fmt.Fprintf(&b, "  %-10s %s\n", cmd.name, cmd.summary)
	}
	b.WriteString("\n" + exitCodes + `
Examples:
  soak demo                                   # a 2-minute soak of the built-in demo service
  soak --host http://127.0.0.1:8000 --users 200 --spawn-rate 20 --duration 30m --url /api/items
  soak run --scenario soak.yaml --probe http://127.0.0.1:6060 --duration 1h
  soak report soak-results/20261128T051500Z-3f9a

Run 'soak help <command>' for a command's flags. Documentation: docs/cli.md.
`)
	return b.String()
}

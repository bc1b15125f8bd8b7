package main

import (
	"flag"
	"math"
	"time"

	"github.com/soaklab/soak/cmd/soak/internal/flagx"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/runner"
)

// ProbeTokenEnv is the environment variable read for --probe-token, so
// the token need not appear in ps.
const ProbeTokenEnv = "SOAK_PROBE_TOKEN"

// Bounds of the flags the engine and the analysis do not bound.
const (
	minInterval = 100 * time.Millisecond
	// maxInterval: intervals are saved as they end, so a kill loses at
	// most one; 10 s keeps that promise.
	maxInterval = 10 * time.Second
	maxURLs     = 100
	maxProbes   = runner.MaxSources
	maxDataDirs = 100
)

// runOptions are the flags of soak run, shared by demo and capacity.
type runOptions struct {
	host        string
	allowRemote bool

	scenario string
	dataDirs flagx.List // directories besides the scenario's that its data files may come from
	urls     flagx.List
	wait     flagx.Wait
	weights  flagx.Weights

	users       int
	spawnRate   float64
	duration    flagx.Duration
	rate        flagx.Rate
	stages      flagx.Stages
	maxRPS      flagx.Rate
	maxWorkers  int
	stopTimeout flagx.Duration
	timeout     flagx.Duration
	interval    flagx.Duration

	probes        flagx.List
	probeToken    flagx.Secret
	probeInterval flagx.Duration
	baseline      flagx.Duration
	settle        flagx.Duration
	drain         flagx.Duration

	targets targetFlags

	out            string
	csv            string
	csvFullHistory bool
	html           string
	json, md       bool
	headless       bool
	junit          string      // --junit FILE: the JUnit XML report (docs/ci.md)
	baselineRun    baselineRun // --baseline-run DIR and the comparison's flags (docs/compare.md)
	// failFast ends the run at the first early warning (--fail-fast).
	failFast bool

	locust locustFlags // Locust's flags: --only-summary, --exit-code-on-error, -L, --reset-stats

	set map[string]bool // flags given on the command line, by name
	fs  *flag.FlagSet   // the parsed flags, for the plan flags a coordinator sends its workers

	fleet fleetFlags // soak run's: --segment, or coordinating workers (--workers)
	web   webFlags   // --web and its companions (see web.go)
}

// targetFlags override the report's targets (analysis.Thresholds) and
// how the run is judged beyond them (analysis.Policy).
type targetFlags struct {
	p50, p95, p99, queryLatency                     flagx.Limit
	errorRate, pool, cacheHitRate, cacheMemory, cpu flagx.Fraction
	memory                                          flagx.Fraction
	throughput                                      flagx.RateLimit
	// strictTargets fails a target the plan cannot reach;
	// probeOptional accepts a run without server-side checks.
	strictTargets, probeOptional bool
}

// register defines the run flags on fs.
func (o *runOptions) register(fs *flag.FlagSet) {
	o.urls.Max, o.probes.Max, o.dataDirs.Max = maxURLs, maxProbes, maxDataDirs
	fs.StringVar(&o.host, "host", "", "")
	fs.StringVar(&o.host, "H", "", "") // Locust's -H
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "")

	fs.StringVar(&o.scenario, "scenario", "", "")
	fs.StringVar(&o.scenario, "f", "", "") // Locust's -f locustfile
	fs.Var(&o.dataDirs, "data-dir", "")
	fs.Var(&o.urls, "url", "")
	fs.Var(&o.wait, "wait", "")
	fs.Var(&o.weights, "weights", "")

	fs.IntVar(&o.users, "users", 0, "")
	fs.IntVar(&o.users, "u", 0, "")
	fs.Float64Var(&o.spawnRate, "spawn-rate", 0, "")
	fs.Float64Var(&o.spawnRate, "r", 0, "")
	fs.Var(&o.duration, "duration", "")
	fs.Var(&o.duration, "run-time", "")
	fs.Var(&o.duration, "t", "")
	fs.Var(&o.rate, "rate", "")
	fs.Var(&o.stages, "stages", "")
	fs.Var(&o.maxRPS, "max-rps", "")
	fs.IntVar(&o.maxWorkers, "max-workers", 0, "")
	fs.Var(&o.stopTimeout, "stop-timeout", "")
	fs.Var(&o.timeout, "timeout", "")
	fs.Var(&o.interval, "interval", "")

	fs.Var(&o.probes, "probe", "")
	fs.Var(&o.probeToken, "probe-token", "")
	fs.Var(&o.probeInterval, "probe-interval", "")
	fs.Var(baselineFlag{quiet: &o.baseline, run: &o.baselineRun}, "baseline", "")
	fs.Var(&o.settle, "settle", "")
	fs.Var(&o.drain, "drain", "")
	fs.BoolVar(&o.failFast, "fail-fast", false, "")
	o.web.register(fs)

	o.targets.register(fs)

	fs.StringVar(&o.out, "out", "", "")
	fs.StringVar(&o.csv, "csv", "", "")
	fs.BoolVar(&o.csvFullHistory, "csv-full-history", false, "")
	fs.StringVar(&o.html, "html", "", "")
	fs.BoolVar(&o.json, "json", false, "")
	fs.BoolVar(&o.md, "md", false, "")
	fs.BoolVar(&o.headless, "headless", false, "")
	fs.StringVar(&o.junit, "junit", "", "")
	o.baselineRun.register(fs)
	o.locust.register(fs)
}

// register defines the target flags on fs.
func (t *targetFlags) register(fs *flag.FlagSet) {
	fs.Var(&t.p50, "max-p50", "")
	fs.Var(&t.p95, "max-p95", "")
	fs.Var(&t.p99, "max-p99", "")
	fs.Var(&t.errorRate, "max-error-rate", "")
	fs.Var(&t.throughput, "min-rps", "")
	fs.Var(&t.pool, "max-pool", "")
	fs.Var(&t.queryLatency, "max-query-latency", "")
	fs.Var(&t.cacheHitRate, "min-cache-hit-rate", "")
	fs.Var(&t.cacheMemory, "max-cache-memory", "")
	fs.Var(&t.cpu, "max-cpu", "")
	fs.Var(&t.memory, "max-memory", "")
	fs.BoolVar(&t.strictTargets, "strict-targets", false, "")
	fs.BoolVar(&t.probeOptional, "probe-optional", false, "")
}

// policy is base (a saved run's) with what the flags turn on.
func (t *targetFlags) policy(base analysis.Policy) analysis.Policy {
	base.StrictTargets = base.StrictTargets || t.strictTargets
	base.ClientOnly = base.ClientOnly || t.probeOptional
	return base
}

// parseRun parses args into o and records which flags were given.
func (o *runOptions) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	rest, err := parse(fs, args)
	if err != nil {
		return nil, err
	}
	o.set, o.fs = map[string]bool{}, fs
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	return rest, nil
}

// registrar defines flags on a FlagSet: a command's own options.
type registrar interface{ register(*flag.FlagSet) }

// parseRunFlags defines the run flags and extra's on the FlagSet of
// command name, parses args into them, and refuses arguments left over.
func (o *runOptions) parseRunFlags(name string, args []string, extra ...registrar) error {
	fs := newFlagSet(name)
	o.register(fs)
	for _, e := range extra {
		e.register(fs)
	}
	rest, err := o.parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %q (flags go before it; a scenario file is --scenario FILE)", rest[0])
	}
	return nil
}

// given reports whether any of the flags names was on the command line.
func (o *runOptions) given(names ...string) bool {
	for _, n := range names {
		if o.set[n] {
			return true
		}
	}
	return false
}

// apply sets the targets the flags give over base. The analysis reads a
// zero target as "no target": "off" becomes 0, and an explicit 0 stays
// meaningful: a maximum of 0% becomes the smallest positive fraction
// (nothing passes but zero), a minimum of 0% is no target.
func (t *targetFlags) apply(base analysis.Thresholds) analysis.Thresholds {
	lim := func(dst *time.Duration, l flagx.Limit) {
		if l.IsSet {
			*dst = max(l.D, 0) // off (negative) is 0
		}
	}
	frac := func(dst *float64, f flagx.Fraction, zero float64) {
		switch {
		case !f.IsSet:
		case f.V < 0:
			*dst = 0 // off
		case f.V == 0:
			*dst = zero
		default:
			*dst = f.V
		}
	}
	lim(&base.P50, t.p50)
	lim(&base.P95, t.p95)
	lim(&base.P99, t.p99)
	lim(&base.QueryLatency, t.queryLatency)
	frac(&base.ErrorRate, t.errorRate, math.SmallestNonzeroFloat64)
	frac(&base.Pool, t.pool, math.SmallestNonzeroFloat64)
	frac(&base.CacheMemory, t.cacheMemory, math.SmallestNonzeroFloat64)
	frac(&base.CPU, t.cpu, math.SmallestNonzeroFloat64)
	frac(&base.Memory, t.memory, math.SmallestNonzeroFloat64)
	frac(&base.CacheHitRate, t.cacheHitRate, 0)
	if t.throughput.IsSet {
		base.Throughput = max(t.throughput.PerSecond, 0)
	}
	return base
}

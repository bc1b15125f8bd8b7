package main

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/soaklab/soak/cmd/soak/internal/flagx"
	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/runner"
	"github.com/soaklab/soak/internal/loopback"
	"github.com/soaklab/soak/internal/redact"
	"github.com/soaklab/soak/probe"
)

// Defaults of the run flags when neither a flag nor the scenario sets
// them. They are Locust's (1 user, 1 user/s), except the duration: Locust
// runs until stopped, soak's loads are always bounded.
const (
	defaultUsers     = 1
	defaultSpawnRate = 1
	defaultDuration  = 10 * time.Minute
	// defaultStopTimeout lets the tasks in flight finish at the end of
	// the load, and after a first Ctrl-C, unless --stop-timeout or the
	// scenario's stop_timeout says otherwise (k6's gracefulStop is 30s,
	// Locust's --stop-timeout 0).
	defaultStopTimeout = 10 * time.Second
)

// checkFlags reports flag values out of range, naming the flag, before
// anything is built from them.
func (o *runOptions) checkFlags() error {
	switch {
	case o.given("users", "u") && o.users < 1:
		return usagef("--users %d: at least 1 user (or --stages 1m:0 for a pause)", o.users)
	case o.users > engine.MaxUsers:
		return usagef("--users %d: at most %d", o.users, engine.MaxUsers)
	case o.spawnRate < 0 || o.spawnRate > 1e6:
		return usagef("--spawn-rate %v: not a rate in [0, 1e6] users/s (0 starts every user at once)", o.spawnRate)
	case o.maxWorkers < 0 || o.maxWorkers > engine.MaxUsers:
		return usagef("--max-workers %d: not in [0, %d]", o.maxWorkers, engine.MaxUsers)
	case o.duration.IsSet && o.duration.D == 0:
		return usagef("--duration 0: the load needs a positive duration (30m, 1h30m, 90s)")
	case o.timeout.IsSet && o.timeout.D == 0:
		return usagef("--timeout 0: requests need a positive timeout")
	case o.interval.IsSet && (o.interval.D < minInterval || o.interval.D > maxInterval):
		return usagef("--interval %v: not in [%v, %v] (intervals are saved as they end; a kill loses at most one)",
			o.interval.D, minInterval, maxInterval)
	case o.probeInterval.IsSet && (o.probeInterval.D < runner.MinPollInterval || o.probeInterval.D > maxInterval):
		return usagef("--probe-interval %v: not in [%v, %v]", o.probeInterval.D, runner.MinPollInterval, maxInterval)
	case o.drain.D > runner.MaxDrain:
		return usagef("--drain %v: at most %v", o.drain.D, runner.MaxDrain)
	case o.json && o.md:
		return usagef("--json and --md both print a report on stdout: choose one")
	case len(o.dataDirs.Values) > 0 && o.scenario == "":
		return usagef("--data-dir without --scenario: it names where a scenario's data files may come from")
	}
	return o.locust.check()
}

// loadFrom returns the load model the flags ask for over base (the
// scenario's, nil for none): --rate or rate stages make an open model,
// --users or user stages a closed one; a flag the flags' model does not
// set keeps the scenario's value.
func (o *runOptions) loadFrom(base engine.Load) (engine.Load, error) {
	open := o.rate.IsSet || o.stages.IsRate()
	closed := o.given("users", "u") || len(o.stages.Users) > 0
	switch {
	case open && closed:
		return nil, usagef("--rate or rate --stages (open model) with --users or user --stages (closed model): choose one model")
	case o.rate.IsSet && o.stages.Len() > 0:
		return nil, usagef("--rate and --stages: give one rate or a list of stages, not both")
	case o.given("users", "u") && o.stages.Len() > 0:
		return nil, usagef("--users and --stages: give one number of users or a list of stages, not both")
	case open && o.given("spawn-rate", "r"):
		return nil, usagef("--spawn-rate applies to users (closed model), not to --rate")
	case closed && o.given("max-workers"):
		return nil, usagef("--max-workers applies to --rate (open model), not to users")
	}
	if open {
		l := engine.Open{Rate: o.rate.PerSecond, Stages: o.stages.Rates, MaxWorkers: o.maxWorkers}
		if b, ok := base.(engine.Open); ok && !o.given("max-workers") {
			l.MaxWorkers = b.MaxWorkers
		}
		return l, nil
	}
	b, baseClosed := base.(engine.Closed)
	if base == nil {
		b, baseClosed = engine.Closed{Users: defaultUsers, SpawnRate: defaultSpawnRate}, true
	}
	if !closed && !baseClosed {
		if o.given("spawn-rate", "r") {
			return nil, usagef("--spawn-rate: the scenario's load is an arrival rate (open model); use --users to switch to users")
		}
		if o.given("max-workers") {
			l := base.(engine.Open)
			l.MaxWorkers = o.maxWorkers
			return l, nil
		}
		return base, nil
	}
	if !baseClosed {
		b = engine.Closed{SpawnRate: defaultSpawnRate}
	}
	if o.given("max-workers") {
		return nil, usagef("--max-workers applies to an arrival rate (open model), not to users")
	}
	if closed {
		b.Users, b.Stages = o.users, o.stages.Users
	}
	if o.given("spawn-rate", "r") {
		b.SpawnRate = o.spawnRate
	}
	return b, nil
}

// checkHost refuses a host that is not an http(s) URL, or not loopback
// without --allow-remote. flagName names the flag in the message.
func checkHost(flagName, raw string, allowRemote bool) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("--%s %q: want a base URL such as http://127.0.0.1:8000", flagName, redact.URL(raw))
	}
	if !allowRemote && !loopback.Host(u.Hostname()) {
		return usagef("--%s %s: %s is not loopback (127.0.0.0/8, ::1, localhost); soak loads only this machine "+
			"unless you pass --allow-remote, and only for a service you are allowed to load", flagName, redact.URL(raw), u.Hostname())
	}
	return nil
}

// sources returns the probe sources of --probe, with the token from
// --probe-token or the environment.
func (c *cli) sources(o *runOptions) ([]runner.Source, error) {
	if !o.probeToken.IsSet {
		if tok := c.getenv(ProbeTokenEnv); tok != "" {
			o.probeToken.SetValue(tok)
		}
	}
	if o.probeToken.IsSet && len(o.probes.Values) == 0 {
		return nil, usagef("--probe-token without --probe: name the probe's URL with --probe")
	}
	var out []runner.Source
	seen := map[string]bool{}
	for _, raw := range o.probes.Values {
		if err := checkHost("probe", raw, o.allowRemote); err != nil {
			return nil, err
		}
		cl, err := probe.NewClient(raw, o.probeToken.Value())
		if err != nil {
			return nil, usagef("--probe %s: %v", redact.URL(raw), err)
		}
		if seen[cl.URL()] {
			return nil, usagef("--probe %s: given twice", cl.URL())
		}
		seen[cl.URL()] = true
		out = append(out, runner.Remote(cl.URL(), cl))
	}
	return out, nil
}

// applyWeights sets the class weights of --weights in p.
func (o *runOptions) applyWeights(p *engine.Plan) error {
	names := make([]string, len(p.Classes))
	for i, c := range p.Classes {
		names[i] = c.Name
	}
	for i, name := range o.weights.Names {
		j := slices.Index(names, name)
		switch {
		case j < 0:
			return usagef("--weights %s: no class %q (the classes are %s)", o.weights.String(), name, strings.Join(names, ", "))
		case p.Classes[j].Fixed > 0:
			return usagef("--weights %s: class %s has a fixed count of users, not a weight", o.weights.String(), name)
		}
		p.Classes[j].Weight = o.weights.Values[i]
	}
	return nil
}

// applyPlan sets the plan fields the flags own beyond the scenario's.
func (o *runOptions) applyPlan(p *engine.Plan) {
	switch {
	case o.stopTimeout.IsSet:
		p.StopTimeout = o.stopTimeout.D
	case p.StopTimeout == 0:
		p.StopTimeout = defaultStopTimeout
	}
	if o.timeout.IsSet {
		p.Transport.Timeout = o.timeout.D
	}
	p.Interval = o.interval.D
	p.AllowRemote = o.allowRemote
}

// describeLoad is the load in a few words, for messages.
func describeLoad(l engine.Load) string {
	switch l := l.(type) {
	case engine.Closed:
		if len(l.Stages) > 0 {
			s := flagx.Stages{Users: l.Stages}
			return "stages " + s.String()
		}
		return fmt.Sprintf("%d users", l.Users)
	case engine.Open:
		if len(l.Stages) > 0 {
			s := flagx.Stages{Rates: l.Stages}
			return "stages " + s.String()
		}
		return fmt.Sprintf("%g arrivals/s", l.Rate)
	}
	return "no load"
}

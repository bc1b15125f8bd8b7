package main

import (
	"context"
	"flag"
	"strings"
	"time"

	"github.com/soaklab/soak/cmd/soak/internal/flagx"
	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/natsfleet"
	"github.com/soaklab/soak/engine/scenario"
)

// Defaults of the distributed-run flags.
const (
	defaultJoinTimeout = 2 * time.Minute
	maxJoinTimeout     = 24 * time.Hour
)

// fleetFlags are soak run's flags for sharing a plan among engines:
// --segment runs one part of it here; --workers and --expect make this
// process the coordinator of workers (soak worker) over NATS JetStream.
type fleetFlags struct {
	segment     segmentFlag
	workers     string // the NATS URL(s): coordinate
	expect      int
	segments    flagx.List // unequal parts, as fractions
	job         string
	joinTimeout flagx.Duration
	lostAfter   flagx.Duration
	nats        natsFlags

	bundle *scenario.Bundle // the scenario read with its data, to send to the workers
}

func (f *fleetFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.segment, "segment", "")
	fs.StringVar(&f.workers, "workers", "", "")
	fs.IntVar(&f.expect, "expect", 0, "")
	f.segments.Max = engine.MaxParts
	fs.Var(&f.segments, "segments", "")
	fs.StringVar(&f.job, "job", natsfleet.DefaultJob, "")
	fs.Var(&f.joinTimeout, "join-timeout", "")
	fs.Var(&f.lostAfter, "lost-after", "")
	f.nats.register(fs)
}

// fleetFlagsUsage documents fleetFlags in soak run's help.
const fleetFlagsUsage = `Distributed load (docs/distributed.md):
  --segment i/n            run only part i of n equal parts of the plan (or i:F1,F2,... for parts of
                           the given fractions, e.g. 2:1/2,1/4,1/4): its share of every class, spawn
                           rate, arrival rate and stage; the parts add up exactly to the whole plan
  --workers URL            coordinate: run the plan on workers (soak worker) reached over NATS
                           JetStream at URL (nats://127.0.0.1:4222), merge their intervals exactly,
                           read the probes here and write the one report
  --expect N               how many workers (the plan is split in N equal parts)
  --segments F1,F2,...     unequal parts instead, as fractions adding up to 1 (one per worker)
  --job NAME               the NATS job the workers join (default soak; soak worker --job)
  --join-timeout D         how long to wait for the workers before the load (default 2m); the
                           load starts with those that joined, the others' share reported lost
  --lost-after D           a worker with no interval this long past an interval's end is given
                           up and its segment reported lost (default 5s, at least 2 intervals)

` + natsFlagsUsage

// segmentFlag is a flag.Value holding an engine.Segment ("2/4").
type segmentFlag struct {
	S     engine.Segment
	IsSet bool
}

func (s *segmentFlag) String() string {
	if s == nil || !s.IsSet {
		return ""
	}
	return s.S.String()
}

func (s *segmentFlag) Set(v string) error {
	seg, err := engine.ParseSegment(v)
	if err != nil {
		return err
	}
	s.S, s.IsSet = seg, true
	return nil
}

// coordinating reports whether the run coordinates workers.
func (f *fleetFlags) coordinating() bool { return f.workers != "" }

// check refuses the distributed flags that do not go together.
func (f *fleetFlags) check(given func(...string) bool) error {
	switch {
	case f.segment.IsSet && f.coordinating():
		return usagef("--segment with --workers: the coordinator splits the plan among its workers itself")
	case !f.coordinating() && given("expect", "segments", "job", "join-timeout", "lost-after",
		"nats-creds", "nats-nkey", "nats-token", "nats-ca", "nats-cert", "nats-key"):
		return usagef("--expect, --segments, --job, --join-timeout, --lost-after and the --nats-* flags go with --workers URL")
	case !f.coordinating():
		return nil
	case f.expect == 0 && len(f.segments.Values) == 0:
		return usagef("--workers without --expect N: say how many workers share the plan")
	case f.expect < 0 || f.expect > engine.MaxParts:
		return usagef("--expect %d: from 1 to %d workers", f.expect, engine.MaxParts)
	case f.joinTimeout.IsSet && (f.joinTimeout.D <= 0 || f.joinTimeout.D > maxJoinTimeout):
		return usagef("--join-timeout %v: from 1s to %v", f.joinTimeout.D, maxJoinTimeout)
	case f.lostAfter.IsSet && f.lostAfter.D < time.Second:
		return usagef("--lost-after %v: at least 1s", f.lostAfter.D)
	}
	if err := natsfleet.CheckJob(f.job); err != nil {
		return usagef("--job %q: 1-64 letters, digits, - or _", f.job)
	}
	if _, err := f.parts(); err != nil {
		return err
	}
	return checkNATSURL("--workers", f.workers)
}

// parts is the coordinator's split: --expect equal parts, or --segments.
func (f *fleetFlags) parts() ([]engine.Segment, error) {
	if len(f.segments.Values) == 0 {
		return engine.EqualParts(f.expect), nil
	}
	var fr []string // --segments 1/2,1/4,1/4, or repeated
	for _, v := range f.segments.Values {
		fr = append(fr, strings.Split(v, ",")...)
	}
	segs, err := engine.Split(fr...)
	if err != nil {
		return nil, usagef("--segments %s: %v", strings.Join(f.segments.Values, ","), err)
	}
	if f.expect > 0 && len(segs) != f.expect {
		return nil, usagef("--expect %d with %d fractions in --segments: one fraction per worker", f.expect, len(segs))
	}
	return segs, nil
}

// checkNATSURL refuses what is not a NATS URL (or a comma-separated
// list of them), naming the flag, never the credentials.
func checkNATSURL(flagName, raw string) error {
	for _, p := range strings.Split(raw, ",") {
		scheme, rest, ok := strings.Cut(strings.TrimSpace(p), "://")
		switch {
		case !ok || rest == "":
			return usagef("%s %s: want a NATS URL such as nats://127.0.0.1:4222", flagName, natsfleet.Redact(raw))
		case scheme != "nats" && scheme != "tls" && scheme != "ws" && scheme != "wss":
			return usagef("%s %s: scheme %q is not nats, tls, ws or wss", flagName, natsfleet.Redact(raw), scheme)
		}
	}
	return nil
}

// planFlags are the run flags that shape the plan: the coordinator sends
// them to its workers, which build the plan from them and the scenario
// as it would (its other flags, probes, targets and outputs, are its own).
var planFlags = map[string]bool{
	"host": true, "url": true, "wait": true, "weights": true, "users": true, "u": true,
	"spawn-rate": true, "r": true, "duration": true, "run-time": true, "t": true, "rate": true,
	"stages": true, "max-rps": true, "max-workers": true, "stop-timeout": true, "timeout": true, "interval": true,
}

// planArgs returns the plan flags given to fs, as --name=value, in the
// order flag.Visit gives them (by name), a repeatable flag once per
// value. Parsed again, they give the same values.
func planArgs(fs *flag.FlagSet) []string {
	var args []string
	fs.Visit(func(f *flag.Flag) {
		if !planFlags[f.Name] {
			return
		}
		if l, ok := f.Value.(*flagx.List); ok {
			for _, v := range l.Values {
				args = append(args, "--"+f.Name+"="+v)
			}
			return
		}
		args = append(args, "--"+f.Name+"="+f.Value.String())
	})
	return args
}

// load reads a scenario file as soak run does, and for a coordinator the
// bytes it read too (scenario.LoadBundle), to send to the workers.
func (f *fleetFlags) load(ctx context.Context, name string, opts scenario.LoadOptions) (*scenario.Scenario, error) {
	if !f.coordinating() {
		return scenario.LoadContext(ctx, name, opts)
	}
	sc, b, err := scenario.LoadBundle(ctx, name, opts)
	f.bundle = b
	return sc, err
}

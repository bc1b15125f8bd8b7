package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/soaklab/soak/cmd/soak/internal/live"
	"github.com/soaklab/soak/cmd/soak/internal/results"
	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/natsfleet"
	"github.com/soaklab/soak/internal/runid"
)

// coordinate runs j on workers (soak worker) over NATS JetStream: it
// stores the plan's flags and the scenario in the job's bucket, waits
// for the workers, and then runs as soak run does (baseline, load,
// drain, the probes read here, the same results directory and report),
// its load step the coordinator's: a common start, the workers'
// intervals merged exactly as they come.
func (c *cli) coordinate(ctx context.Context, o *runOptions, j *job) (int, error) {
	f := &o.fleet
	parts, err := f.parts()
	if err != nil {
		return exitUsage, err
	}
	pctx, cancel := c.preparing(ctx)
	defer cancel()
	nc, err := f.nats.connect(f.workers, "soak coordinator", c.getenv)
	if err != nil {
		return prepared(pctx, exitError, fmt.Errorf("--workers: %w", err))
	}
	defer nc.Close()
	if j.plan.RunID == "" {
		j.plan.RunID = runid.New(time.Now())
	}
	spec, err := json.Marshal(&fleetSpec{Format: fleetSpecFormat, Version: version(), Args: planArgs(o.fs), Bundle: f.bundle,
		Meta: c.meta(j)})
	if err != nil {
		return exitError, err
	}
	notes := &noteSink{w: c.stderr}
	coord, err := natsfleet.New(pctx, natsfleet.Config{Conn: nc, Job: f.job, Run: j.plan.RunID, Parts: parts, Spec: spec,
		LostAfter: f.lostAfter.D, OnEvent: notes.note})
	if err != nil {
		return prepared(pctx, exitError, fmt.Errorf("--workers %s: %w", natsfleet.Redact(f.workers), err))
	}
	defer coord.Close()
	timeout := cmp.Or(f.joinTimeout.D, defaultJoinTimeout)
	notes.note(fmt.Sprintf("run %s: waiting up to %s for %d workers of job %s on %s; start each with: soak worker --nats %s --job %s",
		j.plan.RunID, timeout, len(parts), f.job, natsfleet.Redact(f.workers), natsfleet.Redact(f.workers), f.job))
	joined := coord.Wait(pctx, timeout)
	switch {
	case pctx.Err() != nil:
		return prepared(pctx, exitError, pctx.Err())
	case joined == 0:
		return exitError, fmt.Errorf("no worker joined run %s within %s (--join-timeout): start them with soak worker --nats %s --job %s",
			j.plan.RunID, timeout, natsfleet.Redact(f.workers), f.job)
	case joined < len(parts):
		notes.note(fmt.Sprintf("starting with %d of %d workers: the segments without one are reported lost from the start", joined, len(parts)))
	}
	j.fleet = &fleetJob{coord: coord, notes: notes, where: &results.Fleet{NATS: natsfleet.Redact(f.workers), Job: f.job, Run: j.plan.RunID}}
	return c.execute(ctx, j)
}

// meta is what run.json says of j before the run: the spec carries it,
// so that a results directory rebuilt from the stream says the same.
func (c *cli) meta(j *job) results.Meta {
	probes := make([]string, len(j.sources))
	for i, s := range j.sources {
		probes[i] = s.Name()
	}
	saved, _ := json.Marshal(savedAnalysis{Thresholds: j.th, Policy: j.policy})
	return results.Meta{Version: version(), Command: c.commandLine(), Mode: j.mode,
		Scenario: j.scenario, Probes: probes, Analysis: saved}
}

// fleetJob is what a coordinated job adds to a run: the coordinator as
// its load step, the workers' health in the live view, their events as
// notes, and where the stream is, in run.json. Its methods do nothing on
// a nil fleetJob (a local run).
type fleetJob struct {
	coord *natsfleet.Coordinator
	notes *noteSink
	where *results.Fleet
}

// location is run.json's Fleet.
func (f *fleetJob) location() *results.Fleet {
	if f == nil {
		return nil
	}
	return f.where
}

// watch shows the workers' health and events in p.
func (f *fleetJob) watch(p *live.Progress) {
	if f == nil {
		return
	}
	f.notes.to(p.Note)
	p.SetWorkers(func() []live.Worker {
		hs := f.coord.Health()
		out := make([]live.Worker, len(hs))
		for i, h := range hs {
			out[i] = live.Worker{Segment: h.Segment, Name: h.Worker, State: h.State, Users: h.Users, RPS: h.RPS, Last: h.Last, Why: h.Why}
		}
		return out
	})
}

// load is runner.Config.Load: the coordinator's run, or nil (engine.Run).
func (f *fleetJob) load() func(context.Context, engine.Plan) (*engine.Result, error) {
	if f == nil {
		return nil
	}
	return f.coord.Run
}

// record writes the merged run's final description to run.json: which
// segments stopped counting, when and why, known only at the end.
func (f *fleetJob) record(d *results.Dir, r *analysis.Result) {
	if f == nil || r == nil || r.Engine == nil {
		return
	}
	info := r.Engine.RunInfo
	_ = d.UpdateMeta(func(m *results.Meta) { m.Info = &info })
}

// noteSink passes the coordinator's events on: to stderr until the live
// view exists, then to it. Safe for concurrent use.
type noteSink struct {
	mu sync.Mutex
	w  io.Writer
	fn func(string)
}

func (n *noteSink) note(msg string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fn != nil {
		n.fn(msg)
		return
	}
	fmt.Fprintf(n.w, "soak: %s\n", msg)
}

func (n *noteSink) to(fn func(string)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.fn = fn
}

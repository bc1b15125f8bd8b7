package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/soaklab/soak/cmd/soak/internal/flagx"
	"github.com/soaklab/soak/cmd/soak/internal/live"
	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/natsfleet"
)

// defaultWorkerWait is how long soak worker waits for a run to join.
const defaultWorkerWait = 10 * time.Minute

// workerOptions are soak worker's flags.
type workerOptions struct {
	nats        string
	job         string
	index       int
	name        string
	allowRemote bool
	wait        flagx.Duration
	conn        natsFlags
}

func (w *workerOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&w.nats, "nats", "", "")
	fs.StringVar(&w.job, "job", natsfleet.DefaultJob, "")
	fs.IntVar(&w.index, "index", -1, "")
	fs.StringVar(&w.name, "name", "", "")
	fs.BoolVar(&w.allowRemote, "allow-remote", false, "")
	fs.Var(&w.wait, "wait", "")
	w.conn.register(fs)
}

const workerUsage = `Usage: soak worker --nats URL [flags]

Joins a distributed run: waits for a coordinator (soak run --workers URL
--expect N) to announce a run of its job on NATS JetStream, takes a segment of
the plan, builds the plan from the scenario and flags the coordinator sends
(nothing of the coordinator's file system is needed), checks that the host
answers, starts at the common start, and publishes every interval to the
stream as it is recorded. The coordinator merges them, reads the probes and
writes the report. One run, then it exits. docs/distributed.md has the whole
picture, and soak k8s the manifests for Kubernetes.

Worker flags:
  --nats URL               the NATS server, with JetStream (nats://127.0.0.1:4222; a
                           comma-separated list for a cluster)
  --job NAME               the coordinator's --job (default soak)
  --index I                take part I+1 of the split (0-based: a Kubernetes Indexed Job's
                           $(JOB_COMPLETION_INDEX)); default: any free part
  --name NAME              how the coordinator and the report name this worker (default host/pid)
  --allow-remote           let the coordinator's plan load a host that is not loopback from here;
                           without it such a plan is refused, whatever the coordinator allows
  --wait D                 how long to wait for a run to join (default 10m)

` + natsFlagsUsage + `
Exit codes: 0 the segment ran (to its end, or stopped by the coordinator); 1 the worker could
not join, build the plan, reach the host or publish; 2 usage error; 130 interrupted (Ctrl-C or
SIGTERM: the first stops its load gracefully, and the coordinator reports the segment lost).

Examples:
  soak worker --nats nats://127.0.0.1:4222
  soak worker --nats nats://nats.soak:4222 --job checkout --index $JOB_COMPLETION_INDEX
`

func (c *cli) cmdWorker(ctx context.Context, args []string) (int, error) {
	var w workerOptions
	fs := newFlagSet("worker")
	w.register(fs)
	rest, err := parse(fs, args)
	if err != nil {
		return exitUsage, err
	}
	switch {
	case len(rest) > 0:
		return exitUsage, usagef("unexpected argument %q", rest[0])
	case w.nats == "":
		return exitUsage, usagef("--nats URL is required: the NATS server the coordinator uses")
	case w.index < -1 || w.index >= engine.MaxParts:
		return exitUsage, usagef("--index %d: from 0 to %d", w.index, engine.MaxParts-1)
	case w.wait.IsSet && (w.wait.D <= 0 || w.wait.D > maxJoinTimeout):
		return exitUsage, usagef("--wait %v: from 1s to %v", w.wait.D, maxJoinTimeout)
	}
	if err := natsfleet.CheckJob(w.job); err != nil {
		return exitUsage, usagef("--job %q: 1-64 letters, digits, - or _", w.job)
	}
	if err := checkNATSURL("--nats", w.nats); err != nil {
		return exitUsage, err
	}
	pctx, cancel := c.preparing(ctx)
	defer cancel()
	nc, err := w.conn.connect(w.nats, "soak worker", c.getenv)
	if err != nil {
		return prepared(pctx, exitError, fmt.Errorf("--nats: %w", err))
	}
	defer nc.Close()

	notes := &noteSink{w: c.stderr}
	p := live.New(c.stderr, c.tty)
	p.SetLabel("worker run")
	started := false
	done, err := natsfleet.Work(ctx, natsfleet.WorkerConfig{Conn: nc, Job: w.job, Part: w.index + 1, Name: w.name,
		MaxSpec: maxFleetSpec, Wait: cmp.Or(w.wait.D, defaultWorkerWait), Stop: c.stop, OnEvent: notes.note,
		Build: func(ctx context.Context, spec []byte) (engine.Plan, error) {
			return planFromSpec(ctx, c.stderr, spec, w.allowRemote)
		},
		OnStart: func(ri engine.RunInfo) {
			started = true
			notes.to(p.Note)
			p.Start(ri)
		},
		OnInterval: p.Interval,
	})
	if started {
		p.Finish()
	}
	interrupted := ctx.Err() != nil || closed(c.stop)
	switch {
	case interrupted:
		return exitInterrupted, err
	case err != nil:
		return exitError, err
	case done.Result == nil:
		return exitError, errors.New("the run ended before this worker's load started")
	}
	fmt.Fprintf(c.stdout, "worker %s: segment %s of run %s, %s, %d requests\n", cmp.Or(w.name, "soak"), done.Segment, done.Run,
		done.Result.Ending(), done.Result.Total.Total().Requests)
	return exitOK, nil
}

// closed reports whether ch (nil: never) is closed.
func closed(ch <-chan struct{}) bool {
	if ch == nil {
		return false
	}
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

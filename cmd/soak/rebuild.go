package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"time"

	"github.com/soaklab/soak/cmd/soak/internal/results"
	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/natsfleet"
)

// rebuildFlags are soak report's flags for a distributed run: rebuild
// the results directory from the run's stream first.
type rebuildFlags struct {
	nats, job, run string
	conn           natsFlags
}

func (r *rebuildFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&r.nats, "nats", "", "")
	fs.StringVar(&r.job, "job", "", "")
	fs.StringVar(&r.run, "run", "", "")
	r.conn.register(fs)
}

// rebuildUsage documents rebuildFlags in soak report's help.
const rebuildUsage = `Distributed runs (docs/distributed.md):
  --nats URL               first rebuild DIR from the run's NATS JetStream stream: every merged
                           interval, as the coordinator merged them, also after it died (the
                           workers run on and the stream keeps what they measured)
  --job NAME, --run ID     the run, when DIR does not say (its run.json is gone): DIR is made
`

// rebuild replays the run's stream into the results directory dir, made
// when absent, so that soak report reads it whole: the merged intervals
// replace intervals.jsonl, run.json gets the run's final description
// (which segments were lost, when and why); probe samples already there
// are kept (those of a coordinator that died stop at its death).
func (c *cli) rebuild(ctx context.Context, dir string, r *rebuildFlags) error {
	if err := checkNATSURL("--nats", r.nats); err != nil {
		return err
	}
	meta, err := results.ReadMeta(dir)
	fresh := errors.Is(err, fs.ErrNotExist)
	switch {
	case fresh && (r.job == "" || r.run == ""):
		return usagef("%s has no run.json: give --job and --run to rebuild it from the stream", dir)
	case err != nil && !fresh:
		return err
	case !fresh && meta.Fleet == nil && (r.job == "" || r.run == ""):
		return usagef("%s is not a distributed run's results (run.json has no fleet): give --job and --run", dir)
	}
	job, run := r.job, r.run
	if meta.Fleet != nil {
		job, run = cmp.Or(job, meta.Fleet.Job), cmp.Or(run, meta.Fleet.Run)
	}
	nc, err := r.conn.connect(r.nats, "soak report", c.getenv)
	if err != nil {
		return fmt.Errorf("--nats: %w", err)
	}
	defer nc.Close()
	var ivs []*engine.Interval
	rp, err := natsfleet.Replay(ctx, nc, job, run, func(iv *engine.Interval) { ivs = append(ivs, iv) })
	if err != nil {
		return err
	}
	if fresh {
		if spec, err := decodeSpec(rp.Spec); err == nil {
			meta = spec.Meta
		}
		meta.Created = rp.Info.Start
	}
	meta.Info = &rp.Info
	meta.Fleet = &results.Fleet{NATS: natsfleet.Redact(r.nats), Job: job, Run: run, Rebuilt: time.Now()}
	switch {
	case rp.Canceled:
		meta.Ending = engine.EndCanceled
	case rp.Stopped:
		meta.Ending = engine.EndStopped
	default:
		meta.Ending = engine.EndCompleted
	}
	if !rp.Ended || meta.Status != results.StatusComplete {
		// The coordinator died (or was interrupted): the probe side stops
		// where it did, and the outputs say they are partial.
		meta.Status = results.StatusInterrupted
	}
	if err := results.Rebuild(dir, meta, ivs); err != nil {
		return err
	}
	how := "its coordinator finished"
	if !rp.Ended {
		how = "its coordinator did not finish: the probe samples stop where it did"
	}
	fmt.Fprintf(c.stderr, "soak report: rebuilt %d intervals of run %s from the stream of job %s (%s)\n", rp.Intervals, run, job, how)
	if rp.Late > 0 || rp.Unreadable > 0 {
		fmt.Fprintf(c.stderr, "soak report: left out %d intervals of workers given up and %d messages soak cannot read\n", rp.Late, rp.Unreadable)
	}
	return nil
}

// fleetHint tells how to complete a distributed run's results that a
// coordinator's death left partial.
func (c *cli) fleetHint(dir string, saved *results.Saved) {
	if f := saved.Meta.Fleet; f != nil && saved.Partial() && f.Rebuilt.IsZero() {
		fmt.Fprintf(c.stderr, "soak report: a distributed run: soak report --nats %s %s rebuilds its intervals from the stream of job %s\n",
			f.NATS, dir, f.Job)
	}
}

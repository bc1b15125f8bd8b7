// Package natsfleet runs one engine.Plan on a fleet of engines, each a
// segment of it (engine.Segment, as k6's execution segments), coordinated
// over NATS JetStream, and merges what they measure exactly: HDR
// intervals add up (engine.Interval.Add), so the merged percentiles are
// those of the union of the workers' histograms, not an average of
// theirs. It is an integration of its own, as pgxprobe is for pgx:
// importing engine does not bring in a NATS client.
//
//	// the coordinator
//	nc, _ := natsfleet.Connect("nats://127.0.0.1:4222", natsfleet.ConnectOptions{})
//	c, _ := natsfleet.New(ctx, natsfleet.Config{Conn: nc, Run: plan.RunID,
//		Parts: engine.EqualParts(3), Spec: spec})
//	c.Wait(ctx, 2*time.Minute)                     // three workers join
//	res, _ := runner.Soak(ctx, runner.Config{Plan: plan, Load: c.Run, Sources: probes})
//
//	// each worker, on its own machine
//	natsfleet.Work(ctx, natsfleet.WorkerConfig{Conn: nc, Build: buildPlanFromSpec})
//
// # The protocol
//
// A job (Config.Job, default "soak") is one JetStream stream, SOAK_<job>,
// over the subjects soak.<job>.plan and soak.<job>.run.>, and one object store bucket,
// SOAK_<job>_SPEC. The coordinator stores the run's spec (what workers
// build the plan from: soak's CLI puts the command's plan flags and the
// scenario file with its data there; nothing from its file system is
// needed) in the bucket under the run id, and announces the run on
// soak.<job>.plan. A worker reads the latest announcement (or waits for
// the next), asks for a segment on soak.<job>.join.<run> (core NATS
// request/reply: a coordinator that is gone has no responders, and the
// worker waits for the next run), fetches the spec (its size and SHA-256
// checked against the announcement), builds the plan, and waits. The
// coordinator publishes its decisions on soak.<job>.run.<run>.ev: the
// common start (the whole plan's RunInfo and who runs which segment), a
// graceful stop, an abort, a worker given up, the end. Every worker
// publishes its intervals on soak.<job>.run.<run>.w.<worker>.iv as its
// engine records them (an interval larger than a message goes in parts,
// which Interval.Add puts back together), then its last word on
// ...w.<worker>.done. Messages carry ids, so a retry after a lost
// acknowledgement is stored once.
//
// Everyone reads with ordered consumers (ephemeral, nothing to clean
// up). The coordinator reads the run's subjects in the stream's order
// and merges interval k once every worker delivered it, ended before it,
// or was given up; giving a worker up is itself an event in the stream,
// so [Replay] reading the stream back takes the same decisions at the
// same points and rebuilds the same merged intervals, after the
// coordinator died as well.
//
// # Failures
//
// A worker that sends no interval within Config.LostAfter (default 5 s)
// of an interval's planned end is given up; one that ends early on its
// own, or fails, counts alike, and so does a segment no worker took.
// Its segment is named in Interval.Lost of every merged interval from
// then on, and engine.RunInfo.Parts says when it stopped counting and
// why: the report states what share of the load was lost, nothing is
// averaged in its place. A worker given up stops its load (it would
// count nowhere); one that cannot publish for LostAfter stops too. A
// worker cannot join a run under way. The coordinator's death does not
// stop the workers: they run to the plan's end, the stream keeps their
// intervals (Config.Retention, default 24 h), and Replay rebuilds the
// run.
package natsfleet

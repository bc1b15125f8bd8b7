// Package capture is the server-side record of a soak: what the probes
// said and when, on the engine's clock. It is plain data and its on-disk
// format; it runs nothing and decides nothing. engine/runner fills it
// while a run goes, engine/analysis reads it with the engine's result,
// and `soak report DIR` rebuilds it from a results directory.
//
//	f, err := os.Open("soak-results/20261128T051500Z-3f9a/probe.jsonl")
//	if err != nil {
//		return err
//	}
//	defer f.Close()
//	c, err := capture.ReadCapture(f, "probe.jsonl") // a torn last line still returns what came before
//	if err != nil {
//		return err
//	}
//	if err := c.LoadProfiles("soak-results/20261128T051500Z-3f9a"); err != nil {
//		log.Print(err) // the heap diff will say which profile is missing
//	}
//	steady, _ := c.Timing.Span(capture.PhaseSteady)
//	fmt.Println(steady.Duration(), len(c.Timeline.Sources))
//
// # What a capture holds
//
//   - [Sample]: one poll of one source (a replica's probe), the snapshot or
//     why there is none. A [Timeline] keeps, per source, a [Point] per
//     sample (the figures the detectors trend: heap, goroutines, pools,
//     caches, counters) within a bounded memory, and the full snapshots at
//     each phase's first and last sample ([SourceTimeline]). A source
//     whose probe answers with another instance id (the service
//     restarted) gets one timeline per instance and a [Restart], so that
//     no figure mixes two processes; [Capture.Attributed] credits each
//     profile and leak report to the instance that answered it.
//   - [Phase], [Span] and [Timing]: baseline, warm-up, steady state, drain.
//   - [Moment]s of the run at which a [LeakCapture] (the probe's held
//     connections) and [Profile]s (heap, goroutine, goroutineleak; the
//     probe.Profile* kinds) were taken.
//   - [Warning]s: the early warnings engine/runner raised while the run
//     went (connections held past the leak threshold, goroutines growing
//     past Little's law, a pool at its max with waits timing out), each
//     with where and when first warned; [Capture.FailFast] is the one
//     that ended a fail-fast run.
//   - [Environment]: the machine and the service, measured or saying why
//     not; [CaptureConfig]: the runner's settings as recorded.
//
// # On disk
//
// A [RecordWriter] appends every record as one JSON line as it happens
// (`probe.jsonl` in a results directory), a phase's start as it starts and
// its span as it ends, so that a run killed mid-phase still has its
// phases ([ReadCapture], [Capture.Cut]); profiles are files under
// profiles/ ([ProfilePath]), referenced by path. [ReadCapture] reads the
// lines back, naming file and line in its errors ([ErrRecord]), and
// [Capture.LoadProfiles] reads the profiles, refusing paths outside the
// directory.
//
// # Clock and concurrency
//
// Every time is when the sample arrived, on the engine's wall clock
// (engine.Interval.Start), so client latency and server state line up
// whatever the probe machine's clock says. A Capture and a Timeline are
// not safe for concurrent mutation; a RecordWriter is safe for concurrent
// use; a finished Capture is safe to read from many goroutines.
package capture

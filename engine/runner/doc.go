// Package runner runs soaks: it is the one package that calls engine.Run
// and polls the service's probes while the load goes. [Soak] runs a
// sustained load through its phases (baseline, warm-up, steady state,
// drain), captures profiles and leak reports at the capture moments, and
// returns the run analysed by engine/analysis; [Capacity] runs a stepped
// load to the breaking point.
//
//	res, err := runner.Soak(ctx, runner.Config{
//		Plan:    plan,                                     // an engine.Plan
//		Sources: []runner.Source{runner.InProcess(probe)}, // or runner.Remote(url, client), one per replica
//	})
//	if err != nil {
//		return err // a bad Config
//	}
//	for _, f := range res.Findings {
//		fmt.Println(f.String()) // "memory-leak [svc-1]: detected (99%): live heap grows 41 MB/hour ..."
//	}
//	_ = report.Markdown(report.Run{Analysis: res})(os.Stdout)
//	fmt.Println(res.Headline()) // "healthy: ...", "unhealthy: ...", "inconclusive: ..."
//	os.Exit(res.ExitCode())     // 0, analysis.ExitTargetMissed, ExitUnstable or ExitInconclusive
//
// # The public surface
//
//   - Sources of server truth: [Source], [InProcess] (a *probe.Probe in
//     this process) and [Remote] (a probe read over HTTP through a
//     [Client], one per replica; a [GCProfiler] takes the heap after a GC).
//   - The run: [Soak] with a [Config] (plan, sources, poll interval,
//     baseline, settle, drain, thresholds, results directory, a
//     capture.RecordWriter that appends every sample to disk as it
//     arrives). The phases and moments are engine/capture's.
//   - Capacity: [Capacity] with a [CapacityConfig] ([StepUsers] builds the
//     steps): each step is measured and judged by capacity.MeasureStep and
//     capacity.JudgeStep as the next one starts, and the run stops at the
//     first broken step.
//   - The machine: [CollectEnvironment] (OS, kernel, CPU, RAM, disk).
//
// # Clock
//
// Every sample is timestamped when it arrives, with the same wall clock
// as the engine's intervals (engine.Interval.Start), so client latency
// and server state line up whatever the probe machine's clock says.
//
// # Concurrency
//
// Soak and Capacity may run concurrently; each polls its sources from its
// own goroutines and returns once every goroutine it started has ended.
// A Source must be safe for concurrent use.
package runner

// Package analysis decides: it is a pure function of a run's engine result
// (client side) and its capture (server side, engine/capture), and says
// whether memory, goroutines or connections leak, whether a pool ran dry
// and what that did to latency, how errors and 429s evolved, and which
// targets the run met. It runs nothing (engine/runner does) and renders
// nothing (engine/report does).
//
//	res, err := analysis.Analyze(engineResult, capture, analysis.DefaultThresholds())
//	if err != nil {
//		return err // no engine result, bad thresholds or phases
//	}
//	fmt.Println(res.Headline()) // "unhealthy: 1 defect: memory-leak [svc-1]", "inconclusive: ...", "healthy: ..."
//	for _, f := range res.Failed() {
//		fmt.Println(f.String()) // "memory-leak [svc-1]: detected (99%): live heap grows 41 MB/hour ..."
//	}
//	os.Exit(res.ExitCode()) // ExitOK, ExitTargetMissed, ExitUnstable or ExitInconclusive
//
// # The public surface
//
//   - [Analyze] turns an engine.Result and a capture.Capture into a
//     [Result]: one [Finding] per detector and source, the targets, the
//     environment completed from the probes (engine/report draws the
//     server-side charts from the capture and the findings' events).
//   - Findings: a [Verdict], a [Severity], a confidence, evidence,
//     [Suspect]s with function and file:line, [Event]s, a next step, and
//     the figures of the [Detector] that made it ([MemoryFigures],
//     [GoroutineFigures], [ConnectionFigures], [PoolFigures],
//     [ErrorFigures], [RateLimitFigures], [RestartFigures],
//     [QuitFigures]). Each detector is one file; the statistics they rest
//     on are engine/analysis/stats. A probe that restarted mid-run is
//     judged instance by instance, and the restart is a finding.
//   - Targets: [Thresholds] (defined here once, read by engine/scenario
//     and the CLI; [DefaultThresholds] are the seed's), the [Target] rows
//     of the Results Summary (throughput counts the responses that served
//     their request; a target the plan cannot reach is
//     [StatusUnreachable] unless [StrictTargets]).
//   - The verdict: an [Outcome] (healthy, unhealthy, inconclusive) and
//     its exit code ([Result.ExitCode]), the [Check]s that ran, could not
//     run and why, or were skipped ([Result.Checks]), and one line that
//     says it all ([Result.Headline]). A run without a probe, or whose
//     steady state was too short for a detector, is inconclusive unless
//     [ClientOnly] accepts a client-side verdict ([Policy]).
//   - Stages: when the load changed during the steady state (the plan's
//     stages, changes made mid-run through engine.Control),
//     [Result.Stages] measures and judges each load level apart
//     (engine/analysis/stage), after a settling time ([StageSettle]); the
//     pool-exhaustion and error-rate findings name their stage
//     (Finding.Stage), and a heap or goroutine rise that only follows a
//     step up in load is not called a leak.
//   - In tests: [Verify] fails a [TestingT] with the findings.
//
// Beside it, engine/analysis/pprofsite reads pprof profiles into the
// sites of the application's code that the suspects name;
// engine/analysis/capacity measures and judges the steps of a capacity
// search and summarises them with the Universal Scalability Law
// (engine/runner's Capacity calls it); engine/analysis/watch holds the
// live rules, applied to each sample while the run goes (engine/runner's
// early warnings).
//
// # Concurrency
//
// Analyze does not modify its inputs and may run concurrently. A Result
// is plain data, safe to read from many goroutines once returned.
package analysis

// Package analysis is soak's stability analysis: it joins the load
// engine's client-side intervals with the probe's server-side samples on
// one clock, splits the run into phases, and decides whether memory,
// goroutines or connections leak, whether a pool ran dry and what that
// did to latency, and how errors and 429s evolved. Then it fills the seed
// report's template, every TBD measured, and says what to fix.
//
//	res, err := analysis.Soak(ctx, analysis.Config{
//		Plan:    plan,                                        // an engine.Plan
//		Sources: []analysis.Source{analysis.InProcess(probe)}, // or analysis.Remote(url, client), one per replica
//	})
//	if err != nil {
//		return err // a bad Config
//	}
//	for _, f := range res.Findings {
//		fmt.Println(f.String()) // "memory-leak [svc-1]: detected (99%): live heap grows 41 MB/hour ..."
//	}
//	_ = analysis.NewReport(res).WriteMarkdown(os.Stdout)
//	os.Exit(res.ExitCode()) // 0, ExitTargetMissed or ExitUnstable
//
// # The public surface
//
//   - Sources of server truth: [Source], [InProcess] (a *probe.Probe in
//     this process) and [Remote] (a probe read over HTTP through a
//     [Client], one per replica).
//   - The run: [Soak] with a [Config] (plan, sources, poll interval,
//     baseline, settle, drain, thresholds, results directory, a
//     [RecordWriter] that appends every sample to disk as it arrives).
//     Phases ([Phase], [Span], [Timing]): baseline, warm-up (ramp +
//     settle), steady state, drain. Profiles and leak reports are taken at
//     the [Moments].
//   - Rebuilding: [ReadCapture] reads what a RecordWriter wrote,
//     [Capture.LoadProfiles] reads the saved profiles, and [Analyze] turns
//     an engine.Result and a [Capture] into a [Result] (`soak report DIR`).
//   - Verdicts: [Result.Findings], one [Finding] per [Detector] and
//     source: a [Verdict], a confidence, evidence, [Suspect]s with function
//     and file:line, [Event]s, a next step, and the detector's figures
//     ([MemoryFigures], [GoroutineFigures], [ConnectionFigures],
//     [PoolFigures], [ErrorFigures], [RateLimitFigures]). [TheilSen] and
//     [Spearman] are the statistics they rest on.
//   - Targets: [Thresholds] (the seed's by default), the [Target] rows of
//     the Results Summary, and exit codes ([Result.ExitCode]: [ExitOK],
//     [ExitTargetMissed], [ExitUnstable]).
//   - The report: [NewReport] gives the template's sections as rows
//     ([Report]); [Report.WriteMarkdown] prints them; [Charts] holds the
//     server-side series for the HTML renderer.
//   - Capacity: [Capacity] runs a stepped load to the breaking point and
//     fits the Universal Scalability Law ([FitUSL], [USL]).
//   - In tests: [Verify] fails a [TestingT] with the findings.
//
// # Clock
//
// Every sample is timestamped when it arrives, with the same wall clock
// as the engine's intervals (engine.Interval.Start), so client latency
// and server state line up whatever the probe machine's clock says.
//
// # Concurrency
//
// Soak and Capacity may run concurrently. A Result is plain data, safe to
// read from many goroutines once returned. A [Timeline] is not safe for
// concurrent mutation; a RecordWriter is.
package analysis

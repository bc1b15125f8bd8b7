// Package stage splits a run's steady state into stages at each change
// of the load, and measures and judges each stage on its own: a run whose
// users went 50 -> 200 mid-run is two load levels, and a figure or a
// verdict over both describes neither.
//
// A boundary is a stage of the plan (engine.RunInfo.Stages) or a change
// made while the run went (engine.Interval.Changes, from soak run --web).
// After each boundary a settling time is left out of the stage's figures
// and verdicts: the time the users take to reach the new count at the
// plan's spawn rate, plus Limits.Settle (10 s in engine/analysis). The
// figures are the client's (requests, rps, p50/p95/p99, error rate,
// running users) and each probe source's (live heap, goroutines, pools);
// the [Check]s judge latency and errors against the run's targets, pool
// exhaustion, and the heap and goroutine trends within the stage, which
// need a long enough stage: a shorter one says "too short to judge".
//
//	stages := stage.Split(stage.Input{Intervals: res.Intervals, Steady: span,
//		Bounds: bs, Initial: stage.Boundary{Users: 50}, Sources: srcs, Limits: lim})
//	for _, s := range stages {
//		fmt.Println(s.Name(), s.RPS, s.P95) // "stage 2 (200 users)" 912.4 38ms
//	}
//	fmt.Println(stage.Attribution(stages, stage.CheckPool, "svc")) // "in stage 2 (200 users), not in stage 1 (50 users)"
//
// engine/analysis calls it (analysis.Result.Stages) and uses the stages
// to attribute its findings and to tell a rise that follows a step up in
// load from a leak. Every function is pure and safe for concurrent use.
package stage

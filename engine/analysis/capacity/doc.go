// Package capacity judges a capacity search: a stepped load (more users,
// or a higher arrival rate, each step) run until a step breaks a target.
// [MeasureStep] measures one step from the engine's intervals and the
// probe's points, [JudgeStep] says whether it broke a target of
// analysis.Thresholds or stopped gaining throughput, and [NewResult]
// summarises the steps: the most users and throughput that met every
// target, the breaking point, the Universal Scalability Law fitted to the
// steps (engine/analysis/stats), the bottlenecks and the seed's Scaling
// Recommendations.
//
//	st, measured := capacity.MeasureStep(intervals, from, to, timeline)
//	st.Users = 40
//	st.Broke, st.Why = capacity.JudgeStep(&st, before, th, 0.05)
//	res := capacity.NewResult("users", append(before, st), th, timeline)
//	fmt.Println(res.MaxUsers, res.Peak) // 30 "throughput peaks at 512 RPS near 35 users, ..."
//
// engine/runner's Capacity runs the search and calls it; engine/report
// renders the Result (report.Run.Capacity, report.CapacityMarkdown). It
// is pure: it starts no goroutine, and a Result is plain data.
package capacity

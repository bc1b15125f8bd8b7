// Package live shows a run's progress while it goes: on a terminal, a
// view redrawn after every interval (elapsed and remaining time, users,
// requests per second, p50/p95/p99 of the last window, failures, 429s and
// the probes' state); off a terminal, one log line per window (10 s by
// default), so a CI log stays readable.
//
//	p := live.New(os.Stderr, live.IsTerminal(os.Stderr))
//	plan.OnStart = p.Start
//	plan.OnInterval = p.Interval
//	res, err := engine.Run(ctx, plan)
//	p.Finish(res)
//
// A Progress is safe for concurrent use: the engine calls Interval from
// its own goroutine while the command calls Note and Probe.
package live

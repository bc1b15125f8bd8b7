// Package results is the results directory of a run (--out DIR): what a
// run appends while it goes, so that a crash or a kill -9 loses at most
// the interval in progress, and what `soak report DIR` reads back to
// rebuild every output.
//
//	run.json          the run's description (Meta): command line without
//	                  secrets, engine RunInfo, thresholds, status
//	intervals.jsonl   every engine interval, one JSON line each, written
//	                  (unbuffered) as it ends
//	probe.jsonl       the probe capture: every sample, phase, leak report
//	                  and profile reference (engine/analysis RecordWriter)
//	profiles/         profiles captured from the service
//
// Typical use:
//
//	d, err := results.Create(dir, results.Meta{Command: redact.Args(os.Args)})
//	plan.OnStart = d.Start
//	plan.OnInterval = d.Interval
//	res, _ := engine.Run(ctx, plan)
//	err = d.Finish(results.StatusComplete)
//
//	saved, err := results.Open(dir) // later, or after a crash
//	res := saved.Result()
//
// A Dir is safe for concurrent use. Files are written with one write per
// record and no user-space buffer: what a record's Write returned is in
// the operating system's hands, so killing soak loses nothing written.
package results

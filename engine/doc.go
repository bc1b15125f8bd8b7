// Package engine is soak's load engine: virtual users in weighted classes,
// closed and open load models, and exact latency recording into a time
// series of mergeable intervals. It is a library first: a go test can soak
// an http.Handler in-process, over real HTTP on loopback.
//
//	res, err := engine.Run(ctx, engine.Plan{
//		Host:     "http://127.0.0.1:8000",
//		Load:     engine.Closed{Users: 200, SpawnRate: 20},
//		Duration: 30 * time.Minute,
//		Classes: []engine.Class{{
//			Name: "Reader", Weight: 70, Wait: engine.Between{Min: time.Second, Max: 3 * time.Second},
//			Tasks: []engine.Task{{Weight: 1, Do: func(ctx context.Context, u *engine.User) error {
//				_, err := u.Get(ctx, "/api/stories/"+u.Vars["slug"], "/api/stories/[slug]")
//				return err
//			}}},
//		}},
//		OnInterval: func(iv *engine.Interval) { /* stream it to disk */ },
//	})
//
// # The public surface
//
//   - [Plan] is the whole run as data: Host (or an in-process Handler),
//     Classes, the Load model ([Closed] users with a spawn rate, stages and
//     ramp-down; or [Open] arrivals per second with stages and a worker
//     cap), Duration, StopTimeout, Stop (a graceful stop), Control (users
//     or rate changed mid-run, see [Control]), MaxRPS,
//     Interval, MaxNames, Transport, RunID and the OnStart / OnInterval
//     callbacks. [Plan.Validate] names the bad field. [Run] executes it and
//     returns a [Result]. [Plan.MaxThroughput] bounds the requests per
//     second the plan can send whatever the service does (Little's law
//     over the waits, from each [Task]'s Requests).
//   - [Class]: Name, Weight or Fixed count, [Wait] ([Constant], [Between],
//     [ConstantPacing], [ConstantThroughput]), default Header, OnStart and
//     OnStop hooks, weighted [Task]s, Sequential. Class dispatch is
//     deterministic: 200 users at 70/25/4/1 are exactly 140/50/8/2, at
//     every step of a ramp up or down.
//   - A task is a [TaskFunc], func(ctx, *User) error. The [User] is a
//     session: its own connection, cookie jar, default Header, Vars, Rand
//     and a State slot for a data-driven scenario. [User.Do] sends a [Request] (method, path, grouping Name,
//     headers, body, Expect statuses, a Check) and records it; Get, Post and
//     PostJSON are shorthands; [BodyContains] and [ValidJSON] are checks. A
//     data-driven scenario (engine/scenario) builds its tasks from these.
//   - Results: every [Interval] (default 1 s) holds a [Stat] per (method,
//     name): counts, failures by [Kind], 429s apart, aborted, bytes, exact
//     sum/min/max and an HDR [Histogram] (µs, 1 µs..60 s, 3 digits); the
//     errors by (method, name, error) with count, first and last seen; the
//     users, those started and those that quit before the load ended (a
//     failed OnStart, [ErrStopUser]) by class, hook and reason; the open
//     model's [Schedule] (late and dropped arrivals, lag);
//     the generator's CPU. [Window] merges intervals exactly (the seed's
//     0-10/10-20/20-30 min windows), [Interval.Add] merges two engines'
//     intervals, [Series] keeps a bounded series for runs of any length.
//     [Result] holds the series, the run's Total, how the run ended
//     ([Result.Ending]: completed, stopped or canceled), and
//     GeneratorBound with reasons, so a report never blames the service
//     for the generator. A run records at most Plan.MaxNames (method,
//     name) pairs; the requests of the others count under [OtherName].
//   - Distributing: a [Segment] ("2/4", [ParseSegment], [Split]) in
//     Plan.Segment makes Run apply one part of the plan, as k6's execution
//     segments do: the parts' users, classes, arrivals and user numbers
//     add up exactly to the whole plan's. RunInfo.Parts and Interval.Lost
//     describe a run merged from several engines (engine/natsfleet).
//   - Saving and reading back: [IntervalWriter] and [ReadIntervals] (JSON
//     lines), [NewResult] to rebuild a Result from a [RunInfo] and saved
//     intervals.
//
// # Measuring
//
// Latency runs from a request's start to the last byte of its response; in
// the open model, from the arrival's intended start (coordinated-omission
// correction, as wrk2 does). HTTP 429 is counted apart as a rate-limit hit.
// Recording is sharded (2 per core) and allocates nothing per request.
// Every request carries the probe/label header Soak-Labels: the run, the
// class, the user's number and the request's grouping name.
//
// # Safety
//
// Run refuses a Host that is not loopback (127.0.0.0/8, ::1, localhost)
// unless Plan.AllowRemote is set. Every load is bounded by its Duration and
// by the context.
//
// # Stopping
//
// A run ends three ways. At its planned end, and when Plan.Stop is closed
// (soak's first Ctrl-C), no user or task starts any more and the tasks in
// flight get StopTimeout to finish before their requests are aborted;
// OnStop hooks run. Cancelling the context (the second Ctrl-C) aborts the
// requests in flight at once. Either way Run returns the complete results
// for the time that ran.
//
// # Concurrency
//
// Run may be called concurrently. Plan callbacks run on engine goroutines
// as documented on each field. A User, and the Response it returns, belong
// to the user's hooks and tasks, which run one at a time (a closed-model
// user that pauses between tasks resumes on a new goroutine). Results
// (Interval, Stat, Histogram) are plain values, not safe for concurrent
// mutation.
package engine

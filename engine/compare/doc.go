// Package compare decides, purely, whether one soak run (NEW) is worse
// than another (BASE): per endpoint p50, p95, p99, throughput and error
// rate, each with a change, a 99 % bootstrap interval and a confidence
// that account for the run-to-run noise of the steady state; the system
// figures (heap slope, goroutines after the drain, pool peak and waits,
// query p95, cache hit rate); the findings that are new, resolved or
// unchanged; and a verdict: regression, no significant change,
// improvement (or inconclusive, when nothing could be compared).
//
// A [Run] is loaded from an analysed run ([FromAnalysis]: a results
// directory, read back and analysed) or, by engine/report, from a
// report.json. [Compare] refuses runs whose plans differ (users, classes,
// rates, duration) unless told ([Options.AllowPlanChange]), and says what
// differs ([PlanError]).
//
// The statistics (docs/compare.md): every run's steady state is cut into
// windows; each window gives a per-endpoint sample (requests, failures,
// p50, p95, p99). A moving-block bootstrap resamples each run's windows
// (blocks keep the series' autocorrelation), seeded from the endpoint and
// metric, so that the same inputs always give the same output. A change
// is flagged only when its interval excludes zero (significant) and it is
// beyond the user's threshold ([Margins]).
//
// Nothing here reads files, starts goroutines or keeps state: every
// function is safe for concurrent use.
package compare

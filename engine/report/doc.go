// Package report renders a finished or partial soak run: the Markdown
// report that fills the seed's template, a self-contained HTML report, a
// versioned JSON document with a reader, and Locust-compatible CSV files.
// It holds the report model too ([Report], the template's sections as
// rows, built by [NewReport] from an analysis) and every renderer; it
// decides nothing: verdicts, targets and figures are engine/analysis's.
//
// Every renderer reads a [Run], given one way: an analysed run by its
// Analysis (which carries the engine's result), with the capacity search
// that made it, if one did, as its Capacity (engine/analysis/capacity); a
// client-side only run by its engine Result. Each output has one entry point, a [Reporter] (a
// func(io.Writer) error): [Markdown], [HTML], [JSON], [LocustStats],
// [LocustHistory], [LocustFailures], [LocustExceptions], and
// [CapacityMarkdown] for a capacity search; [WriteFile] and
// [WriteLocustCSV] write files atomically.
//
//	run := report.Run{Analysis: res} // res from runner.Soak or analysis.Analyze; report.Run{Result: r} without one
//	if err := report.WriteLocustCSV("out/sustained_load_results", run, report.CSVOptions{}); err != nil {
//		return err
//	}
//	for name, rep := range map[string]report.Reporter{"report.md": report.Markdown(run),
//		"report.json": report.JSON(run), "report.html": report.HTML(run)} {
//		if err := report.WriteFile("out/"+name, rep); err != nil {
//			return err
//		}
//	}
//
// # Markdown
//
// [Markdown] opens with the verdict ([Verdict]: the outcome, the exit code
// and what it means, the findings and targets that set it, the checks that
// could not run and why), then writes the seed report's template in its structure: test
// configuration, user distribution, execution command, the results
// summary against the targets, the top 10 endpoints, the stability
// analysis, how soak decided (every finding's evidence), issues by
// severity, recommendations, capacity planning, next steps, the profiles
// saved beside the report and the appendix. Every value is measured or
// says why not; every text from the run (names, errors, probe
// configuration) is escaped for a table cell. It needs the analysis.
//
// # Locust CSV
//
// [WriteLocustCSV] writes PREFIX_stats.csv, PREFIX_stats_history.csv,
// PREFIX_failures.csv and PREFIX_exceptions.csv with the header lines of
// Locust's locust/stats.py byte for byte, its row order (entries sorted by
// name then method, then the "Aggregated" row with an empty Type), its
// number formatting (Python ints and floats: "20", "150.0", "N/A" for the
// percentiles of an entry without requests) and CRLF line ends, so scripts
// written for Locust's CSVs keep working. Response times are in
// milliseconds.
//
// Counts, sums, averages, min, max and content sizes are exact. Locust
// computes the median and percentiles from response times rounded to two
// significant digits (1 ms below 100 ms, 10 ms below 1 s, 100 ms below
// 10 s, 1 s above); soak keeps HDR histograms (1 µs up to 2 ms, then 3
// significant digits) and rebuilds Locust's rounded counts from them, so
// its medians and percentiles equal Locust's on the same requests, except
// that a request within 0.05% of a rounding boundary (e.g. 144.93 ms
// against the 145 ms boundary between the 140 and 150 keys) may be
// counted in the neighbouring key.
//
// Locust counts HTTP 429 as a failure; soak counts 429s apart, as
// rate-limit hits. In the CSVs they are failures, as in Locust: in Failure
// Count and Failures/s, and in PREFIX_failures.csv as one row per endpoint
// with the error [RateLimitedError] ("HTTP 429 Too Many Requests (rate
// limit)"). The JSON and HTML outputs keep them apart. Failure errors are
// soak's texts ("HTTP 503 Service Unavailable"), not Python reprs; task
// errors go to PREFIX_exceptions.csv, whose Traceback names the task (soak
// keeps no stack traces) and whose Nodes is "local", and so do the users
// that quit (a failed on_start: "user quit: ..."), as Locust lists the
// errors that end a user. Requests aborted at the stop timeout are in no
// CSV, as Locust drops the requests it kills; the other outputs count them.
//
// Requests/s in PREFIX_stats.csv divides by the run's recorded span.
// PREFIX_stats_history.csv has a row per interval (1 s by default; coarser
// after a long run's series was coarsened; at most one a second, as
// Locust's), timestamped with the interval's end; its Requests/s and Failures/s cover the last
// [HistoryWindow], its percentiles are whole-run so far, or of the last
// HistoryWindow with [CSVOptions].FullHistory, as Locust's are.
//
// # JSON
//
// [JSON] writes a [Document] ("format": "soak/v1"): the plan summary, the
// generator (bound or not, and why; CPU; the open model's late and dropped
// arrivals and start lag), totals and per-endpoint stats with HDR
// percentiles, the errors and task errors, a summary of every interval of
// the series with per-endpoint figures, the name of the exact interval
// file when given ([Run].IntervalsFile), and, with an analysis, its
// verdicts ([Analysis]). Times are RFC 3339 UTC, durations seconds,
// latencies milliseconds. Here 429s are apart from failures. [ReadJSON]
// reads it back, checks it and names the member or line:column at fault;
// what it returns writes back byte for byte.
//
// # HTML
//
// [HTML] writes one self-contained file: inline CSS and SVG, no script,
// nothing fetched, so it opens offline. With an analysis it opens on the
// verdict, a banner coloured by outcome above the summary's tiles, each
// tile coloured by its target row (a failing tile is never green). It has the summary, the
// configuration, charts over time (users, requests/s, p50/p95/p99,
// failures and 429s per second), every endpoint and the errors. With an
// analysis ([Run].Analysis) it adds the sections of the Markdown report
// (the [Report] model: results summary against targets, top 10
// endpoints, stability analysis, issues by severity, recommendations,
// capacity planning, next steps, profiles, environment), every finding
// with its suspects, and the server-side charts (heap, goroutines, pool
// acquired and wait, cache hit rate, rate limiting) on the same time axis
// as the client's, from the baseline to the drain, with the phases marked
// and detected events shaded on the latency chart. Charts are drawn in Go
// and laid out by html/template, which escapes every string by context:
// names from scenarios cannot inject markup. It is checked in headless
// Chromium (.ci/chromium installs it).
//
// # Size and cost
//
// Every output is computed from the engine's series, which the engine
// bounds (engine.DefaultMaxIntervals, coarsening longer runs), so
// rendering a 24-hour run costs what a 30-minute one does. The figures are
// in docs/performance.md.
//
// # Concurrency
//
// Renderers only read the Run; any number may run at once on one Run.
package report

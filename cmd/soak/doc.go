// Command soak tells whether a service stays healthy under sustained
// load, and if not, why: it loads the service with virtual users (engine),
// reads its embedded probe (probe) on the same clock, decides whether
// memory, goroutines or connections leak and whether a pool ran dry
// (engine/analysis), and writes the seed report's template filled in,
// with HTML, JSON and Locust's CSVs (engine/report).
//
//	soak demo                                   # the built-in demo service, soaked for 2 minutes
//	soak --host http://127.0.0.1:8000 --users 200 --spawn-rate 20 --run-time 30m --scenario soak.yaml
//	soak run --scenario soak.yaml --probe http://127.0.0.1:6061 --duration 1h
//	soak capacity --scenario soak.yaml --max-users 400
//	soak validate soak.yaml
//	soak report soak-results/20261128T051500Z-3f9a
//
// Every command, flag and exit code is in docs/cli.md and `soak help`.
// The command is a thin shell over those packages: each subcommand is a
// flag.FlagSet with flag.Value types (internal/flagx); the results
// directory (internal/results) is written as the run goes, so that a
// killed run can be rebuilt with soak report; the live view is
// internal/live. Only main calls os.Exit. The first Ctrl-C stops a run's
// load gracefully (engine.Plan.Stop: the requests in flight finish), the
// second cancels the context and soak exits at once (interrupt.go).
package main

package main

// The help texts. Every flag a command defines appears in its text (a
// test checks it), grouped as docs/cli.md groups them.

// runFlagsUsage documents the flags run, demo and capacity share.
const runFlagsUsage = `Target:
  --host URL, -H URL       base URL of the service, e.g. http://127.0.0.1:8000 (replaces the
                           scenario's host). Loopback only (127.0.0.0/8, ::1, localhost)...
  --allow-remote           ...unless this is given: load another machine you are allowed to load

What the users do:
  --scenario FILE, -f FILE YAML scenario: user classes, tasks, data, thresholds (docs/scenarios.md).
                           A locustfile (Python) is not run: soak prints the scenario it sketches
                           from it on stdout, to finish (docs/locust.md#porting-a-locustfile)
  --data-dir DIR           a directory the scenario's data files (csv:) may come from besides the
                           scenario's own (repeatable). Without it a data file outside the
                           scenario's directory (absolute, "..", a symbolic link out) is refused
  --url PATH               quick mode without a file: every user GETs PATH (repeatable: --url /a
                           --url /b picks one at random per task). Default without --scenario: /
  --wait W                 pause between a user's tasks: none, 2s, 1s-3s, between 1s 3s,
                           pacing 5s, throughput 0.5 (replaces every class's wait)
  --weights W              class weights over the scenario's: NAME=N, comma-separated or
                           repeated, e.g. AuthenticatedUser=50,WriterUser=0

Load (Locust's flags; a scenario's load: is the default):
  --users N, -u N          users, each running its tasks in a loop (closed model). Default 1
  --spawn-rate N, -r N     users started per second while ramping up. Default 1; 0 = all at once
  --duration D, --run-time D, -t D
                           how long the load lasts: 90s, 30m, 1h30m, or seconds. Default 10m
  --rate R                 open model instead: R arrivals per second (100, 100/s, 6000/m)
  --stages S               step load: DURATION:USERS or DURATION:RATE/s, comma-separated or
                           repeated: 1m:50,5m:200 (users) or 2m:100/s,2m:200/s (arrivals)
  --max-rps R              cap on the requests per second of all users together
  --max-workers N          open model: most arrivals in flight (default 5000)
  --stop-timeout D         let tasks in flight finish this long after the duration or a first
                           Ctrl-C (default the scenario's stop_timeout, else 10s; 0 aborts them);
                           after a Ctrl-C it also bounds the drain and the probes' last captures
  --timeout D              bound on each request (default 30s)
  --interval D             width of one time-series interval, 100ms..10s (default 1s)

Server side (the service's embedded probe, docs/probe.md):
  --probe URL              the probe's admin URL, e.g. http://127.0.0.1:6061 (repeatable: one
                           per replica), read once before the load: a probe that refuses the
                           token (401, 403) or does not answer stops soak with exit 2. Without
                           any, the server-side checks do not run and the verdict is at best
                           inconclusive (exit 5)
  --probe-optional         accept a verdict on the client-side checks alone: run without
                           --probe, or go on when a --probe does not answer at start; such a
                           run can exit 0, its headline saying the server side was not checked
  --probe-token T          bearer token of the probes; better from $SOAK_PROBE_TOKEN, which
                           keeps it out of ps. Never printed or saved.
  --probe-interval D       how often each probe is read (default 2s)
  --baseline D             probe readings before the load starts (default 3 poll intervals)
  --settle D               warm-up after the ramp, not trended (default 10% of the duration, <= 3m)
  --drain D                longest quiet time after the load, for leak residues (default 15s)
  --fail-fast              end the run at the first early warning (connections held past the
                           leak threshold, goroutines growing past Little's law, a pool at its
                           max with waits timing out), as a first Ctrl-C does: the outputs are
                           written, the report says why, and soak exits 4 (scenario: fail_fast)

Targets (the report's Target column; default the seed report's; "off" turns one off):
  --max-p50 D, --max-p95 D, --max-p99 D       latency percentiles (200ms, 500ms, 1s)
  --max-error-rate P                          failed requests, 429s apart (0.5%)
  --min-rps R                                 throughput (100/s)
  --max-pool P, --max-query-latency D         database pool in use (80%), query p95 (50ms)
  --min-cache-hit-rate P, --max-cache-memory P  cache (70%, 80%)
  --max-cpu P, --max-memory P                 service CPU (70%) and memory (80%)
  --strict-targets         a throughput target the plan cannot reach (its users and waits send
                           less, by Little's law: soak warns at start) fails the run (exit 3)
                           instead of reading "unreachable by this plan"

Outputs (checked before anything runs; all of them always go to --out; after a Ctrl-C they
are written marked partial):
  --out DIR                results directory (default ./soak-results/<run id>): intervals and
                           probe samples saved as the run goes, report.md, report.html,
                           report.json, soak_stats.csv & co. 'soak report DIR' rebuilds them.
  --csv PREFIX             also write Locust's PREFIX_stats.csv, PREFIX_stats_history.csv,
                           PREFIX_failures.csv, PREFIX_exceptions.csv
  --csv-full-history       per-endpoint rows in PREFIX_stats_history.csv, as Locust's flag
  --html FILE              also write the HTML report to FILE
  --json                   print the JSON report on stdout instead of the summary
  --md                     print the Markdown report on stdout instead of the summary
  --headless               accepted for Locust compatibility (the web view is only with --web)
  --junit FILE             also write a JUnit XML report: one test case per target and
                           detector (and comparison check); failures carry the evidence.
                           With GITHUB_ACTIONS=true failures are also ::error lines (docs/ci.md)

Web view (soak run and soak demo; docs/web.md):
  --web ADDR               serve a live page of the run on ADDR (127.0.0.1:8089; port 0 picks
                           one): charts, endpoints, findings, stop, users or rate mid-run, the
                           outputs to download. Without it nothing listens
  --web-token T            required for an ADDR that is not loopback; better from
                           $SOAK_WEB_TOKEN. Open the page with ?token=T. Never printed or saved.
  --web-read-only          the page shows the run; stop, users and rate are refused
  --web-keep D             after the run, keep serving while a page is open, at most D
                           (default 5m; the page's close button or Ctrl-C ends it sooner)

Compare with an earlier run (run and demo; docs/compare.md):
  --baseline-run DIR       once the run is done, compare it with DIR (a results directory or
                           its report.json), as soak compare does: compare.md, compare.html and
                           compare.json go to --out; a regression exits 6 (a defect's 4 stays).
                           --baseline DIR (a directory or .json file, not a duration) says the same
                           Read, and its plan checked against this one, before the load
` + compareUsageFlags + `
Locust's other flags (docs/locust.md#flags):
  --only-summary           no figures while the run goes (the live view off): the headline,
                           probes and notes, then the summary
  -L LEVEL, --loglevel LEVEL
                           DEBUG or INFO (the default): the live view; WARNING, ERROR or
                           CRITICAL: only warnings (probes not answering, Ctrl-C) on stderr
  --exit-code-on-error N   exit N (0, 1 or 6-125) when a run that met its targets and found
                           nothing unstable had a failed request; 3, 4 and 130 stay
  --reset-stats            refused: the report judges the steady state apart from the ramp-up
`

const runUsage = `Usage: soak run [flags]
       soak [flags]                (run is the default command)

Loads a service with virtual users, reads its probes, and writes a report that
says whether it stayed healthy and, if not, why. The live view (stderr) shows
elapsed/remaining time, users, requests/s, p50/p95/p99, failures and 429s; off
a terminal, one line every 10 s.

` + runFlagsUsage + `
` + fleetFlagsUsage + `
` + exitCodes + `
Examples:
  # Locust's sustained-load command, as soak takes it
  soak --host http://127.0.0.1:8000 --users 200 --spawn-rate 20 --run-time 30m \
       --headless --html sustained_load_report.html --csv sustained_load_results \
       --scenario soak.yaml

  # quick mode: two URLs, 50 users without think time, for 5 minutes
  soak run --host http://127.0.0.1:8000 --url /api/items --url /health -u 50 -r 50 --wait none -t 5m

  # open model: 300 requests/s whatever the latency, with the probe read
  SOAK_PROBE_TOKEN=... soak run --scenario soak.yaml --rate 300/s --duration 1h \
       --probe http://127.0.0.1:6061

  # a step load, and a stricter p95
  soak run --scenario soak.yaml --stages 5m:50,5m:100,5m:200 --max-p95 300ms

  # distributed: this process coordinates 3 workers (soak worker --nats ...) over NATS
  soak run --scenario soak.yaml -u 3000 -r 100 -t 1h --workers nats://127.0.0.1:4222 --expect 3
`

const demoUsage = `Usage: soak demo [flags]
       soak demo --serve [--addr HOST:PORT] [--admin-addr HOST:PORT]

Runs the built-in demo service in process, with the probe and middleware wired
in, and soaks it with the seed report's users (docs/scenarios/seed.yaml,
built in): AuthenticatedUser 70%, UnauthenticatedUser 25%, WriterUser 4%,
HealthCheckUser 1%, over its ten endpoints. Then it writes the full report.
Defaults: 200 users, 20/s spawn rate, 2 minutes of load. Every run flag
applies (--users, --duration, --scenario, targets, outputs...), except --host
and --probe.

Demo flags:
  --serve                  only serve the demo service and its probe, printing their URLs,
                           until Ctrl-C: soak it with soak run from another terminal
  --addr HOST:PORT         --serve: the service's address (default 127.0.0.1:8000; port 0 = any)
  --admin-addr HOST:PORT   --serve: the probe admin's address (default 127.0.0.1:6061)
  --database-url URL       store data in PostgreSQL (pgxpool), e.g.
                           postgres://root@127.0.0.1:5432/test; default: $DATABASE_URL when
                           set, else in memory
  --redis-url URL          cache in Redis (go-redis), e.g. redis://127.0.0.1:6379/0; default:
                           $REDIS_URL when set, else no Redis
  --schema NAME            the PostgreSQL schema of the demo's tables and the prefix of its
                           Redis keys (default soak_demo)
  --fault NAME             plant a known defect, to see what soak finds (repeatable):
                           conn-leak, goroutine-leak, heap-leak, pool-exhausted, rows-leak,
                           slow-trending (conn-leak, pool-exhausted and rows-leak need
                           --database-url)

` + runFlagsUsage + `
` + exitCodes + `
Examples:
  soak demo                                       # two minutes, in memory, then the report
  soak demo --fault heap-leak --duration 3m       # watch soak find a heap leak, and where
  soak demo --database-url postgres://root@127.0.0.1:5432/test --redis-url redis://127.0.0.1:6379/0 \
            --fault conn-leak
  DATABASE_URL=postgres://root@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0 soak demo
  soak demo --serve                               # then, elsewhere: soak run --host http://127.0.0.1:8000 ...
`

const validateUsage = `Usage: soak validate [--data-dir DIR] FILE...

Checks scenario files without sending a request: YAML syntax, unknown fields
(with "did you mean"), values, templates, data files. Every problem is named
by file:line:column and field. For a valid file it says what the scenario
does: classes, weights, tasks, load, thresholds. Files from elsewhere are safe
to check: every read is bounded (docs/scenarios.md#limits) and data files stay
inside the scenario's directory.

Flags:
  --data-dir DIR           a directory the scenarios' data files (csv:) may come from besides
                           each scenario's own (repeatable)

Exit code 0 when every file is valid, 2 otherwise, 130 when interrupted.

Examples:
  soak validate soak.yaml
  soak validate docs/scenarios/*.yaml
  soak validate --data-dir ../fixtures load/soak.yaml
`

const reportUsage = `Usage: soak report [flags] DIR

Rebuilds every output of a run from its results directory (--out of soak run,
demo or capacity): the Locust CSVs, report.json, report.html and report.md,
from the intervals and probe samples the run saved as it went. It works on a
run that was interrupted, or killed (kill -9): the outputs then say they are
partial. The targets are the run's own unless flags override them.

Flags:
  --csv PREFIX             also write Locust's CSVs at PREFIX
  --csv-full-history       per-endpoint rows in PREFIX_stats_history.csv
  --html FILE              also write the HTML report to FILE
  --json                   print the JSON report on stdout instead of the summary
  --md                     print the Markdown report on stdout instead of the summary
  --junit FILE             also write a JUnit XML report (docs/ci.md)
  Targets: --max-p50, --max-p95, --max-p99, --max-error-rate, --min-rps, --max-pool,
  --max-query-latency, --min-cache-hit-rate, --max-cache-memory, --max-cpu,
  --max-memory, --strict-targets and --probe-optional, as for soak run (the run's
  own settings are kept; these turn a setting on or change a target).

` + rebuildUsage + `
` + natsFlagsUsage + `
The exit code is the verdict's, as for soak run (0, 3, 4 or 5); 1 when DIR
cannot be read. After a kill -9 the phases the run reached are on disk: the
steady state it had is analysed.

Examples:
  soak report soak-results/20261128T051500Z-3f9a
  soak report --md soak-results/20261128T051500Z-3f9a > report.md
  soak report --max-p95 300ms soak-results/20261128T051500Z-3f9a
  soak report --nats nats://127.0.0.1:4222 soak-results/20261128T051500Z-3f9a  # a coordinator that died
`

const helpUsage = `Usage: soak help [COMMAND]

Shows soak's commands, or one command's flags and examples.

Examples:
  soak help
  soak help run
`

const capacityUsage = `Usage: soak capacity [flags]

Steps the load up (10, 20, ... 200 users by default, each step 1 minute) and
stops at the breaking point: the first step whose p95 or error rate breaks its
target, or whose throughput no longer rises. It reports the most users and
requests/s the service sustains within its targets, fits the Universal
Scalability Law to the steps (how throughput would grow with more users or
replicas) and fills the report's Capacity Planning and Scaling sections.

Steps:
  --start-users N          users of the first step (default 10)
  --step-users N           users added at each step (default 10)
  --max-users N            the last step, at most (default 200)
  --start-rate R, --step-rate R, --max-rate R
                           arrival-rate steps (open model) instead, e.g. 50/s, 50/s, 1000/s
  --step-duration D        each step's length, at least 5s (default 1m)
  --min-gain P             how much a step's throughput must beat the best so far to count as
                           still rising (default 5%)
  --settle D               the start of each step not measured (default 25% of a step)

With --probe, the probe is read before the steps (a baseline), through them
(CPU and pool per step, probe.jsonl) and after them until quiet (a drain), and
the report's system and stability rows and appendix are measured as a soak's.

Every run flag applies except --users, --rate, --stages, --duration,
--baseline, --drain and --max-workers, which the steps replace, and
--exit-code-on-error (steps fail on purpose):

` + runFlagsUsage + `
Exit codes: 0 when the search ran (whether or not a step broke), 1 when soak
could not run it, 2 for a usage error, 130 when interrupted (outputs partial).

Examples:
  soak capacity --host http://127.0.0.1:8000 --scenario soak.yaml --probe http://127.0.0.1:6061
  soak capacity --host http://127.0.0.1:8000 --url /api/items --wait none \
                --start-users 20 --step-users 20 --max-users 400 --step-duration 2m
  soak capacity --host http://127.0.0.1:8000 --url /api/items --start-rate 50/s --step-rate 50/s --max-rate 1000/s
`

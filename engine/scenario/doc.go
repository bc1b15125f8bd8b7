// Package scenario reads soak's YAML scenario files and turns them into
// an [engine.Plan]: user classes with weights or fixed counts, waits,
// on-start and on-stop requests, a retry rule for expired sessions
// (on a 401, log in again and retry once), weighted tasks of one request or a
// sequence, templated paths, queries, headers and JSON bodies, status
// expectations, body checks, captures into per-user variables, data from
// inline lists and CSV files, and the run's thresholds. The format is
// documented field by field in docs/scenarios.md; docs/scenarios/seed.yaml
// is the seed report's user mix.
//
//	s, err := scenario.Load("docs/scenarios/seed.yaml")
//	if err != nil {
//		log.Fatal(err) // every problem, as file:line:column: field: message
//	}
//	plan, err := s.Plan(scenario.Options{Host: "http://127.0.0.1:8000"})
//	if err != nil {
//		log.Fatal(err)
//	}
//	res, err := engine.Run(ctx, plan)
//
// # The public surface
//
//   - [Load] and [LoadContext] (a file; csv: data inside its directory or
//     a directory [LoadOptions] allows; a context that stops the parse),
//     [LoadFS] (an fs.FS such as the embedded docs/scenarios), [Parse] and
//     [ParseContext] (bytes; no data files) and [Quick] (the CLI's --url
//     quick mode) return a [Scenario].
//   - [Scenario] exports what the CLI's flags may override (Host, Load,
//     Duration, StopTimeout, MaxRPS, Timeout) and the run's targets
//     (analysis.Thresholds, defined once in engine/analysis; a file's
//     "thresholds:" overrides analysis.DefaultThresholds field by field).
//   - [Scenario.Validate] returns every problem as [Problems];
//     [Scenario.Plan] applies [Options] and returns the engine.Plan, whose
//     tasks render each request from the compiled templates.
//   - [ParseWait] reads a wait as files and --wait write it ("1s-3s").
//
// # Errors
//
// Parsing uses github.com/goccy/go-yaml's AST, so every problem names the
// file, line and column and the field's YAML path
// ("seed.yaml:12:15: classes[0].tasks[2].weight: expected an integer,
// found a string"), and all
// problems are reported at once ([Problems]). Unknown fields are errors
// with a "did you mean" hint, never ignored.
//
// # Limits
//
// A scenario may come from a pull request that CI validates, so reading
// one is bounded before and while it is read (internal/bounds): the file's
// size, the nesting, the YAML tokens, the keys of a block mapping, the
// nodes with every alias expanded (an alias bomb is refused, never
// expanded), the data files' size and rows; only regular files are read,
// and data files only from the scenario's directory or an allowed one.
// docs/scenarios.md#limits lists the bounds.
//
// # Templates
//
// Paths, query values, header values, JSON body strings, vars: and the
// equals: of checks are templates: {{token}} (a per-user variable),
// {{terms}} (a pick: list), {{accounts.username}} (a CSV column),
// {{user.id}}, {{user.class}}, {{uuid}}, {{random_int(1, 5000)}},
// {{printf("user%04d", user.id)}} and {{repeat("lorem ", 40)}}.
// They are compiled when the plan is built (internal/template) and every
// name is checked then; rendering a request only appends bytes into
// per-user buffers (see docs/performance.md, section scenario).
//
// # Concurrency
//
// A Scenario is plain data: Plan and Validate only read it and may run
// concurrently. Each Plan call compiles its own run state (round-robin
// positions, per-user buffers), which its tasks use from the engine's
// user goroutines; a plan may be run several times.
package scenario

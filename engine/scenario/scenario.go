package scenario

import (
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
)

// Scenario is a parsed scenario file: whom to load, with which users,
// how hard, and against which targets. Build one with [Load], [LoadFS],
// [Parse] or [Quick]; turn it into an [engine.Plan] with [Scenario.Plan].
//
// The exported fields may be changed before Plan (the CLI's flags do);
// [Scenario.Validate] checks them again. The user classes, tasks, data
// and templates are fixed at parse time. A Scenario is not safe for
// concurrent mutation; Plan and Validate only read it.
type Scenario struct {
	// Name is the scenario's name (its "name:" field), or the file's base
	// name without extension.
	Name string
	// Description is free text from "description:".
	Description string
	// File is the name given to Parse or Load, used in every Problem.
	File string
	// Host is the base URL of the service, e.g. "http://127.0.0.1:8000".
	// Empty means it must come from Options.Host (the CLI's --host).
	Host string
	// Load is the load model ("load:"), an engine.Closed or engine.Open.
	// Nil means it must come from Options.Load (--users or --rate).
	Load engine.Load
	// Duration is how long load is applied ("duration:"). Zero means the
	// sum of the load's stages, or Options.Duration.
	Duration time.Duration
	// StopTimeout lets tasks in flight finish after Duration
	// ("stop_timeout:"). Zero aborts them at once.
	StopTimeout time.Duration
	// MaxRPS caps the requests per second of the whole run ("max_rps:").
	// Zero means no cap.
	MaxRPS float64
	// Timeout bounds each request ("timeout:"). Zero means the engine's
	// 30 s.
	Timeout time.Duration
	// FailFast ends the run at the first early warning ("fail_fast:",
	// true or false; the CLI's --fail-fast): a leak, goroutines growing
	// past Little's law, a pool at its max with waits timing out, seen
	// while the run goes (see runner.Config.FailFast). Default false.
	FailFast bool
	// Thresholds are the run's targets ("thresholds:"), the seed's
	// defaults (analysis.DefaultThresholds) where the file sets none.
	Thresholds analysis.Thresholds

	wait    engine.Wait // scenario-wide default wait ("wait:")
	headers []param     // scenario-wide default headers
	data    []*source
	classes []*class

	rep *reporter // file name and field positions, for Validate
}

// param is a name and its value, as headers (canonical name, template
// value), vars: and query: (template values) and captures (JSON path
// values) write them.
type param struct {
	name, value string
	field       string // YAML path of the value, for problems
}

// class is one user class ("classes[i]").
type class struct {
	name       string
	weight     int
	fixed      int
	wait       engine.Wait
	waitSet    bool
	headers    []param
	vars       []param
	onStart    []*step
	onStop     []*step
	retry      *retryRule // nil: none
	tasks      []*task
	sequential bool
	field      string
	nameSet    bool // name: was present (a bad value is reported already)
	broken     bool // not a mapping (reported already)
}

// task is a weighted unit of work: one request or a sequence of them.
type task struct {
	name   string
	weight int
	steps  []*step
	field  string
}

// step is one request.
type step struct {
	method   string
	path     string // template
	query    []param
	headers  []param
	json     any // JSON body template: jsonObject, []any, string, jsonNumber, bool, jsonNull; nil: none
	body     *string
	name     string
	status   []int
	checks   []check
	captures []param // variable name, JSON path
	field    string
}

// jsonObject is a JSON object whose members keep their file order.
type jsonObject []jsonMember

type jsonMember struct {
	key   string
	value any
}

// jsonNumber is a number literal's JSON text; jsonNull is null.
type (
	jsonNumber string
	jsonNull   struct{}
)

// check is one assertion on a response body.
type check struct {
	path     string // JSON path; "" for a contains check
	absent   bool   // the path must match nothing
	equals   any    // nil: any value; string (a template), jsonNumber, bool or jsonNull
	contains string // the body must contain this text
	field    string
}

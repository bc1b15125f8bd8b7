package engine

import (
	"context"
	"crypto/tls"
	"net/http"
	"time"
)

// Plan describes one load run: whom to load, with which users, how hard and
// for how long. A Plan is a plain value: build it in Go or decode it from a
// scenario file (engine/scenario), check it with [Plan.Validate], and hand it
// to [Run]. Run does not modify the Plan, and a Plan may be reused.
//
// Every zero value below is documented; a value that makes no sense
// (negative users, weights summing to 0, a zero rate in open mode, ...) is an
// error from Validate that names the field, never a silent default.
type Plan struct {
	// Host is the base URL of the service under load, e.g.
	// "http://127.0.0.1:8000". Request paths are relative to it. The host
	// must be loopback (127.0.0.0/8, ::1, localhost) unless AllowRemote is
	// set. Empty is allowed only when Handler is set.
	Host string

	// Handler, when set, is served by Run itself on a fresh loopback
	// listener for the duration of the run, and Host is ignored: a go test
	// can soak an http.Handler in-process, over real HTTP. Run returns
	// once the handler's calls have returned (their requests' contexts are
	// cancelled when the run ends), waiting at most Transport.Timeout.
	Handler http.Handler

	// AllowRemote permits a Host that is not loopback. Load generators are
	// dangerous tools; the CLI sets this only behind an explicit flag.
	AllowRemote bool

	// RunID names the run in every request's labels (the Soak-Labels
	// header) and in the results. Empty means a fresh id such as
	// "20261128T051500Z-3f9a". A non-empty RunID must be a valid label
	// (see probe/label.Valid).
	RunID string

	// Classes are the kinds of virtual users. At least one is required.
	Classes []Class

	// Load is the load model: [Closed] (a number of users looping over
	// their tasks) or [Open] (an arrival rate). Required.
	Load Load

	// Duration is how long load is applied. Zero means the sum of the
	// load model's stage durations (an error when there are no stages).
	Duration time.Duration

	// StopTimeout is how long tasks in flight may run on after the load
	// ends (Duration, or Stop) before their requests are aborted
	// (Locust's --stop-timeout, k6's gracefulStop). Zero aborts them at
	// once. Cancelling Run's context always aborts at once.
	StopTimeout time.Duration

	// Stop, when closed, ends the load early and gracefully (soak's first
	// Ctrl-C): no user is spawned and no task or arrival starts any more,
	// the tasks in flight finish, bounded by StopTimeout (then their
	// requests are aborted, as at the planned end), the users' OnStop
	// hooks run, and Run returns the complete Result with Stopped set.
	// Nil means the load runs its whole Duration. Closing Stop after the
	// load has ended changes nothing; closing it before Run starts runs
	// no load at all. Cancelling Run's context is the hard stop.
	Stop <-chan struct{}

	// Control, when set, lets another goroutine change the users (closed
	// model) or the arrival rate (open model) while the load runs (see
	// [Control]); each change is an unplanned stage boundary, listed in
	// Interval.Changes. Nil means the plan's load only. A Control serves
	// one Run at a time.
	Control *Control

	// MaxRPS caps the requests per second of the whole run (all users
	// together) with go.uber.org/ratelimit. Zero means no cap. Time spent
	// waiting for the cap is not counted as latency.
	MaxRPS float64

	// Interval is the width of one time-series interval. Zero means 1 s.
	// Every finished interval is passed to OnInterval.
	Interval time.Duration

	// MaxIntervals bounds the intervals Run keeps in memory (the Result's
	// series). When a run outgrows it, neighbouring intervals are merged
	// pairwise, so the series covers the whole run at a coarser width (see
	// [Series]); OnInterval still receives every interval. Zero means 1800
	// (30 minutes at 1 s).
	MaxIntervals int

	// MaxErrors bounds the distinct (method, name, error) triples kept per
	// interval and for the run; further distinct errors are counted in
	// ErrorsOverflow. Zero means 1000.
	MaxErrors int

	// MaxNames bounds the distinct (method, name) pairs the run records,
	// so that a scenario that forgets a grouping name on
	// "/api/stories/<slug>" does not grow memory per distinct URL. The
	// first MaxNames pairs seen are recorded under their own name; the
	// requests of every later pair are recorded, never dropped, under
	// (method, [OtherName]): one more Stat per method. Zero means
	// [DefaultMaxNames] (1000).
	MaxNames int

	// LateAfter is how far behind its intended start an open-model arrival
	// may begin before it counts as late. Zero means 10 ms.
	LateAfter time.Duration

	// Transport configures the HTTP client.
	Transport Transport

	// DisableLabels stops Run from sending the Soak-Labels header
	// (probe/label). Labels are on by default: the probe needs them to
	// attribute server-side work to users and request names.
	DisableLabels bool

	// Segment, when not the zero value (the whole plan), is the part of
	// the plan this Run applies, as one of several engines sharing it (a
	// distributed run): of the plan's closed-model users and open-model
	// arrivals it runs those at the segment's positions, with the class
	// and at the time the whole plan gives them, so the parts together
	// run exactly the plan (see [Segment]). MaxRPS is scaled by the
	// segment's fraction, and Open.MaxWorkers is split as the users are
	// (at least 1 each).
	Segment Segment

	// OnStart, when set, is called once before any load with the run's
	// description. It is called on Run's goroutine.
	OnStart func(RunInfo)

	// OnInterval, when set, receives every finished interval, in order,
	// on a single goroutine, while the run goes on (the last, possibly
	// partial, interval is delivered before Run returns). The Interval is
	// shared with the Result: read it, encode it, but do not modify it. A
	// slow OnInterval delays later intervals but not the load.
	OnInterval func(*Interval)
}

// Class is a kind of virtual user, like a Locust User class.
type Class struct {
	// Name identifies the class in results and in the labels (the
	// Soak-Labels header). Required; it must be a valid label
	// (probe/label.Valid) and unique.
	Name string

	// Weight is the class's relative share of the users (or arrivals)
	// that are not taken by Fixed classes. Zero means the class gets
	// none of them. The weights of non-Fixed classes must not sum to 0.
	Weight int

	// Fixed, when positive, is the exact number of users of this class,
	// started before any weighted user (Locust's fixed_count); Weight is
	// then ignored. Open model: not allowed.
	Fixed int

	// Wait is the pause between two tasks of a user. Nil means no pause.
	// The open model ignores it (the arrival rate sets the pace).
	Wait Wait

	// Header holds default headers for every user of the class, copied
	// into each User's Header when the user starts.
	Header http.Header

	// OnStart runs once when a user starts, before its first task (log in
	// and keep the token in u.Header). A failing OnStart stops that user:
	// its error is recorded as an exception. Nil means nothing to do.
	OnStart TaskFunc

	// OnStop runs once when a user stops (ramp-down, the end of the load
	// or Plan.Stop), with a context that is cancelled after StopTimeout:
	// with a StopTimeout of 0 it may not run at all, and its requests are
	// aborted. Nil means nothing to do.
	OnStop TaskFunc

	// Tasks are what the user does. At least one task with a positive
	// weight is required.
	Tasks []Task

	// Sequential runs the tasks in order, each Weight times in a row
	// (Locust's SequentialTaskSet), instead of picking one at random by
	// weight for every iteration.
	Sequential bool

	// Endpoints names what the class's tasks request, when that is known
	// before the run: a data-driven scenario knows it, Go task code may
	// leave it nil. It is a description for the reports, which keep these
	// rows in their top endpoints table even when a request sent once per
	// user (a login in OnStart) outnumbers one of them; the engine does
	// not check it against what the tasks send.
	Endpoints []Endpoint
}

// Endpoint is a request as results group it: its method and name.
type Endpoint struct {
	Method string `json:"method"`
	Name   string `json:"name"`
}

// TaskFunc is the Go form of a task: it does its requests through u and
// returns nil, or an error that is recorded as an exception. Errors
// returned by u's request methods are already recorded as failures and are
// not recorded twice. Returning [ErrStopUser] stops the user quietly.
//
// ctx is cancelled when the run ends or is cancelled; pass it to every
// request so that stopping aborts requests in flight.
type TaskFunc func(ctx context.Context, u *User) error

// Task is one weighted unit of work of a Class.
type Task struct {
	// Name identifies the task in exceptions. Empty means "task N" (its
	// index in Class.Tasks, from 0).
	Name string
	// Weight is the task's relative frequency (random classes) or its
	// repeat count (sequential classes). Zero disables the task; negative
	// is an error.
	Weight int
	// Do is the task's body. Required.
	Do TaskFunc
	// Requests is the most requests one run of Do sends; 0 means not
	// known. engine/scenario sets it (a task's steps). When every task
	// that can run has it, [Plan.MaxThroughput] can bound what the plan
	// sends.
	Requests int
}

// Load is a load model: [Closed] or [Open]. The set is sealed.
type Load interface{ isLoad() }

// Closed is the closed model: a number of virtual users, each running its
// tasks one after the other with Wait in between (Locust, k6's VUs).
//
// With Stages, the user count steps through each stage's Users in turn (a
// step load, or a breaking-point search); otherwise it is Users for the
// whole Duration.
type Closed struct {
	// Users is the number of users to reach. Must be positive unless
	// Stages is set, in which case it must be 0.
	Users int
	// SpawnRate is how many users start (or stop) per second while the
	// count moves to its target. Zero means all at once.
	SpawnRate float64
	// Stages, when set, replace Users: each stage moves to its Users at
	// SpawnRate and holds until its Duration (from the stage's start)
	// ends.
	Stages []Stage
	// RampDown, when positive, stops the users gradually over this long
	// after Duration, in reverse spawn order, so the class mix stays
	// proportional. Zero stops them all at Duration.
	RampDown time.Duration
}

// Stage is one step of a closed-model step load.
type Stage struct {
	Duration time.Duration // how long the stage lasts, > 0
	Users    int           // users to move to at the stage's start, >= 0
}

// Open is the open model: arrivals at a fixed rate whatever the service
// does (wrk2, k6's constant-arrival-rate, vegeta). Each arrival runs one
// task of a user of a class chosen by weight, on a worker from a pool that
// grows up to MaxWorkers. Latency counts from each arrival's intended
// start, so a stalling service cannot hide behind a slowed generator
// (coordinated-omission correction).
type Open struct {
	// Rate is the arrival rate, per second. Must be positive unless
	// Stages is set, in which case it must be 0.
	Rate float64
	// Stages, when set, replace Rate with a sequence of rates.
	Stages []RateStage
	// MaxWorkers caps the concurrent arrivals in flight. An arrival that
	// finds every worker busy and the pool at its cap is dropped and
	// counted; the run is then flagged as generator-bound. Zero means
	// 5000.
	MaxWorkers int
}

// RateStage is one step of an open-model rate schedule.
type RateStage struct {
	Duration time.Duration // how long the stage lasts, > 0
	Rate     float64       // arrivals per second during the stage, > 0
}

func (Closed) isLoad() {}
func (Open) isLoad()   {}

// Transport configures the HTTP client. The zero value is ready to use.
//
// Plain http:// hosts use soak's own HTTP/1.1 keep-alive client, one
// connection per user (per worker in the open model: a user sends one
// request at a time, so one connection is all it can use), chosen because
// it costs far less CPU per request than net/http's (see
// docs/performance.md). https:// hosts, HTTP2, and Client "net/http" use
// net/http's client, whose users share one pool that keeps a connection
// per user. Neither client follows redirects: a 3xx is the response, a
// success unless Request.Expect says otherwise. Responses are not
// decompressed.
type Transport struct {
	// Timeout bounds each request from send to the last body byte.
	// Zero means 30 s. A request that runs out of time fails as a timeout.
	Timeout time.Duration
	// DialTimeout bounds opening a connection. Zero means 10 s.
	DialTimeout time.Duration
	// TLS configures https:// connections. Nil means Go's defaults.
	TLS *tls.Config
	// HTTP2 enables HTTP/2: negotiated by ALPN over TLS, prior knowledge
	// (h2c) over plain http://.
	HTTP2 bool
	// DisableKeepAlives opens a fresh connection for every request.
	DisableKeepAlives bool
	// MaxBodyBytes is how much of a response body is kept for tasks to
	// read; the rest is read, counted in bytes, and discarded. Zero means
	// 8 MiB.
	MaxBodyBytes int
	// Client chooses the HTTP client for http:// hosts: "" (the default:
	// soak's own HTTP/1.1 client unless HTTP2 is set) or "net/http".
	Client string
}

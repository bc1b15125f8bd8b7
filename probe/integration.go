package probe

import (
	"context"
	"time"

	"github.com/soaklab/soak/probe/label"
)

// This file is the API the probe's integrations are built on: the pgxpool
// tracer in [github.com/soaklab/soak/probe/pgxprobe] and the go-redis hook
// in [github.com/soaklab/soak/probe/redisprobe] use nothing else, and a
// service may instrument another driver or client the same way. An
// integration
//
//   - registers what it reports with [Probe.AddPool] or [Probe.AddRedis]:
//     every snapshot asks it for its section, at the snapshot's time;
//   - tracks what it hands out for the leak registry: a [Hold] taken with
//     [Probe.NewHold] when a connection (query, subscription) is taken,
//     kept in its own table, zeroed when given back, and listed through
//     [HoldLister];
//   - adds each hold given back to a [HoldProfile] ([Probe.NewHoldProfile]):
//     how long it was held and how long its statements ran, per acquiring
//     stack and route;
//   - records latencies in [Latency] recorders, and caches it feeds in
//     [Probe.CacheOf];
//   - bounds its tables and polls by the probe's [Settings].

// Hold is one resource an integration tracks for the leak registry: a
// connection out of a pool, a query whose rows are open, a subscription.
// It records when the resource was taken, the call stack that took it and
// the request it was taken for (method, route and soak labels, from
// [label.FromContext]). The zero Hold means "nothing held". A Hold is a
// small value (three words) that an integration keeps in its own table,
// under its own lock.
type Hold struct {
	since stamp
	stack stackID
	info  *label.Info
}

// IsZero reports whether h is the zero Hold: nothing held.
func (h Hold) IsZero() bool { return h.since == 0 }

// NewHold returns a Hold taken now for the request of ctx. The call stack
// starts skip frames above NewHold's caller (0: at the caller, 1: at the
// caller's caller, which leaves out a tracer method itself); the frames of
// the probe, its integrations, pgx and go-redis still at the top are
// dropped when the stack is read, so that the first frame shown is the
// application's. With [WithStackSampling](n) one Hold in n has a stack.
// It does not allocate: stacks are deduplicated and symbolised only when
// read.
//
//go:noinline
func (p *Probe) NewHold(ctx context.Context, skip int) Hold {
	p.init()
	return Hold{since: p.stampNow(), stack: p.stacks.capture(skip + 1), info: label.FromContext(ctx)}
}

// Elapsed returns how long ago h was taken (0 for the zero Hold), on the
// monotonic clock, or on the [WithClock] clock: a query's latency from the
// Hold taken at its start.
func (p *Probe) Elapsed(h Hold) time.Duration {
	if h.since == 0 {
		return 0
	}
	return p.stampNow().sub(h.since)
}

// ElapsedAt returns h's age at t, a time of the probe's clock such as the
// time a [PoolSource] is asked for (0 for the zero Hold).
func (p *Probe) ElapsedAt(h Hold, t time.Time) time.Duration {
	if h.since == 0 {
		return 0
	}
	return p.stampAt(t).sub(h.since)
}

// Now returns the probe's clock: time.Now, or the [WithClock] function.
func (p *Probe) Now() time.Time { p.init(); return p.now() }

// A HoldLister lists the resources an integration holds now, for
// [Probe.Leaks], [Probe.Find] and the snapshot's leak summary. A source
// given to [Probe.AddPool] or [Probe.AddRedis] that implements it is
// asked on each of those calls, from any goroutine.
type HoldLister interface {
	// AppendHolds appends an entry per resource held now to dst and
	// returns it.
	AppendHolds(dst []Held) []Held
}

// Held is one entry of a [HoldLister]'s list, a resource held, or of a
// [HoldCounter]'s, a count of resources held that the integration cannot
// track one by one.
type Held struct {
	// Kind is the kind of resource: [LeakPGXConn], [LeakRedisPubSub], ...
	// or the integration's own.
	Kind string
	// Source names the pool or client, as in its snapshot section.
	Source string
	// SQL is the normalised statement, for a query ([LeakPGXQuery]).
	SQL string
	// Hold is when, where and for which request the resource was taken.
	Hold Hold
	// Count, in a [HoldCounter]'s entry (with a zero Hold), is how many
	// resources of Kind the source holds without tracking them one by
	// one.
	Count int
}

// A HoldCounter counts what an integration holds without tracking it one
// by one: go-redis has no hook on Conn(), so probe/redisprobe counts the
// connections out of its pool and not running a command. A source given
// to [Probe.AddPool] or [Probe.AddRedis] that implements it is asked by
// [Probe.Find], which reports the counts; having no age, they are not in
// [Probe.Leaks] nor among the snapshot's suspects.
type HoldCounter interface {
	// AppendCounts appends an entry per kind held untracked (Kind,
	// Source, Count > 0) to dst and returns it.
	AppendCounts(dst []Held) []Held
}

// Settings are the options of a probe that its integrations apply to what
// they track and poll.
type Settings struct {
	// MaxHeld bounds the resources an integration tracks at once, per
	// pool or client ([WithMaxHeld]); beyond it they are counted only.
	MaxHeld int
	// LeakThreshold is the age from which a hold is a leak suspect
	// ([WithLeakThreshold]).
	LeakThreshold time.Duration
	// PollInterval is the least time between two queries of a server
	// (Redis INFO, pg_stat_activity) ([WithPollInterval]); errors stay
	// reported for two intervals, at least 30 s.
	PollInterval time.Duration
}

// Settings returns the options integrations apply.
func (p *Probe) Settings() Settings {
	p.init()
	return Settings{MaxHeld: p.opts.maxHeld, LeakThreshold: p.opts.leakThreshold, PollInterval: p.opts.pollInterval}
}

package probe

import (
	"errors"
	"fmt"
	"time"
)

// Default limits. Every table the probe keeps is bounded; what does not fit
// is counted in an overflow entry, never dropped silently. (The integrations
// bound their own tables: pgxprobe.DefaultMaxStatements,
// redisprobe.DefaultMaxCommands.)
const (
	DefaultMaxRoutes          = 256              // HTTP routes (method, template)
	DefaultMaxStacks          = 1024             // distinct acquiring stacks
	DefaultMaxHeld            = 10000            // connections and queries tracked at once, per pool or client
	DefaultMaxCaches          = 64               // named caches
	DefaultStackDepth         = 32               // frames captured per stack
	DefaultLeakThreshold      = 30 * time.Second // hold age that makes a leak suspect
	DefaultPollInterval       = 5 * time.Second  // Redis INFO, pg_stat_activity
	DefaultMaxProfileDuration = 60 * time.Second // longest CPU/trace/fgprof capture
)

// Option configures a [Probe]. Options are sealed: only this package
// defines them. An out-of-range value is a programmer error: [New] panics
// with a message naming the option.
type Option interface{ apply(*options) }

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

type options struct {
	instanceID    string
	token         string
	tokenErr      error // ErrShortToken
	clock         func() time.Time
	realClock     bool // clock is time.Now
	maxRoutes     int
	maxStacks     int
	maxHeld       int
	maxCaches     int
	stackDepth    int
	stackEvery    int
	framePointers bool
	heapRate      int // bytes; 0: leave runtime.MemProfileRate alone
	leakThreshold time.Duration
	pollInterval  time.Duration
	maxProfile    time.Duration
	err           error
}

func (o *options) bad(name string, v any, want string) {
	if o.err == nil {
		o.err = fmt.Errorf("probe: %s(%v): %s", name, v, want)
	}
}

func defaultOptions() options {
	return options{
		clock:         time.Now,
		realClock:     true,
		maxRoutes:     DefaultMaxRoutes,
		maxStacks:     DefaultMaxStacks,
		maxHeld:       DefaultMaxHeld,
		maxCaches:     DefaultMaxCaches,
		stackDepth:    DefaultStackDepth,
		stackEvery:    1,
		framePointers: true,
		leakThreshold: DefaultLeakThreshold,
		pollInterval:  DefaultPollInterval,
		maxProfile:    DefaultMaxProfileDuration,
	}
}

// WithInstanceID names this probe in snapshots (default: host name, process
// id and a random suffix). Use it to tell replicas apart.
func WithInstanceID(id string) Option { return optionFunc(func(o *options) { o.instanceID = id }) }

// MinTokenLength is the shortest token [WithToken] accepts, in bytes: a
// token guessed is the service's heap and goroutine dumps given away.
const MinTokenLength = 16

// ErrShortToken is what [Probe.Listen] returns, and what [Probe.Handler]
// answers every request with (503), when [WithToken] was given a token
// shorter than [MinTokenLength]. The probe never serves behind such a
// token.
var ErrShortToken = errors.New("probe: WithToken: the token is shorter than 16 bytes; " +
	"use a random one (openssl rand -hex 16) in $SOAK_PROBE_TOKEN, the variable soak reads for --probe-token")

// WithToken requires "Authorization: Bearer <token>" on every request to
// [Probe.Handler] (compared in constant time; 401 otherwise). An empty
// token means no authentication, which [Probe.Listen] allows only on a
// loopback address. A token shorter than [MinTokenLength] is refused
// without a panic (the token usually comes from the environment): see
// [ErrShortToken].
func WithToken(token string) Option {
	return optionFunc(func(o *options) {
		o.token, o.tokenErr = token, nil
		if token != "" && len(token) < MinTokenLength {
			o.tokenErr = ErrShortToken
		}
	})
}

// WithClock replaces time.Now (tests use it to age holds without sleeping).
func WithClock(now func() time.Time) Option {
	return optionFunc(func(o *options) {
		if now == nil {
			o.bad("WithClock", "nil", "needs a function")
			return
		}
		o.clock, o.realClock = now, false
	})
}

// WithMaxRoutes bounds the HTTP route table (default [DefaultMaxRoutes]);
// further routes share one overflow entry. A route costs at most about
// 28 KiB: its latency histogram (1 KiB per 128 buckets touched, 26 KiB at
// most) and its counters (128 bytes per processor, 16 processors' worth
// at most).
func WithMaxRoutes(n int) Option {
	return optionFunc(func(o *options) { o.pos("WithMaxRoutes", &o.maxRoutes, n) })
}

// WithMaxStacks bounds the table of distinct stacks (default
// [DefaultMaxStacks]); holds with a new stack beyond it are recorded
// without a stack and counted in Snapshot.Leaks.StacksDropped.
func WithMaxStacks(n int) Option {
	return optionFunc(func(o *options) { o.pos("WithMaxStacks", &o.maxStacks, n) })
}

// WithMaxHeld bounds how many held connections, open queries and
// subscriptions each pool or client tracks at once (default
// [DefaultMaxHeld]); beyond it they are counted only. Integrations read it
// from [Probe.Settings].
func WithMaxHeld(n int) Option {
	return optionFunc(func(o *options) { o.pos("WithMaxHeld", &o.maxHeld, n) })
}

// WithStackDepth sets the frames captured per stack, 4 to 64 (default
// [DefaultStackDepth]).
func WithStackDepth(n int) Option {
	return optionFunc(func(o *options) {
		if n < 4 || n > maxStackDepth {
			o.bad("WithStackDepth", n, "must be 4 to 64")
			return
		}
		o.stackDepth = n
	})
}

// WithStackSampling captures the acquiring stack of one acquisition or
// query in every n (default 1: all). Holds without a captured stack are
// still tracked, with their route and labels. Use it when the stack capture
// (about 1 µs for 30 frames) matters.
func WithStackSampling(n int) Option {
	return optionFunc(func(o *options) { o.pos("WithStackSampling", &o.stackEvery, n) })
}

// WithFramePointers chooses how the probe unwinds the stacks it captures
// (of acquisitions, queries, PubSubs). On amd64 it walks the goroutine's
// frame-pointer chain by default (true): tens of nanoseconds where
// runtime.Callers takes about a microsecond at a handler's depth. Other
// platforms always use runtime.Callers.
//
// Pass false to force runtime.Callers when code that acquires connections
// (or queries, or subscribes) can run in a cgo callback: a Go function
// exported to C and called from C code. The frame-pointer chain of such a
// goroutine continues into the C frames, which need not keep frame
// pointers, and the walk can then read a garbage address and crash the
// service; runtime.Callers unwinds with the runtime's own tables, which
// know where the C frames are. The Go runtime makes the same choice for
// its execution tracer (golang/go#59830). [LeakSummary.StackUnwinder] shows
// which one is in use.
func WithFramePointers(enabled bool) Option {
	return optionFunc(func(o *options) { o.framePointers = enabled })
}

// WithLeakThreshold sets the age after which a held connection, an open
// query or an open Redis connection outside the pool is a leak suspect
// (default [DefaultLeakThreshold]).
func WithLeakThreshold(d time.Duration) Option {
	return optionFunc(func(o *options) { o.atLeast("WithLeakThreshold", &o.leakThreshold, d, time.Nanosecond) })
}

// WithPollInterval sets how often snapshots may query the servers (Redis
// INFO, pg_stat_activity); between polls they reuse the last answer.
// Default [DefaultPollInterval], at least one second.
func WithPollInterval(d time.Duration) Option {
	return optionFunc(func(o *options) { o.atLeast("WithPollInterval", &o.pollInterval, d, time.Second) })
}

// WithMaxProfileDuration caps the seconds parameter of CPU, trace and
// fgprof captures (default [DefaultMaxProfileDuration]); a larger value is
// refused with 400.
func WithMaxProfileDuration(d time.Duration) Option {
	return optionFunc(func(o *options) { o.atLeast("WithMaxProfileDuration", &o.maxProfile, d, time.Second) })
}

func (o *options) atLeast(name string, dst *time.Duration, d, min time.Duration) {
	if d < min {
		o.bad(name, d, "must be at least "+min.String())
		return
	}
	*dst = d
}

func (o *options) pos(name string, dst *int, n int) {
	if n < 1 {
		o.bad(name, n, "must be at least 1")
		return
	}
	*dst = n
}

package probe

import (
	"fmt"
	"strings"
	"time"
)

// FindOption configures [Probe.Find] and [Probe.VerifyNone]. Options are
// sealed: only this package defines them.
type FindOption interface{ applyFind(*findOptions) }

type findOptions struct {
	minAge   time.Duration
	maxWait  time.Duration
	ignore   []string
	ignoreFn []string
}

type findOptionFunc func(*findOptions)

func (f findOptionFunc) applyFind(o *findOptions) { f(o) }

// MinAge reports only holds at least d old (default 0: anything still
// held is a leak, as in a test after the code under test returned).
func MinAge(d time.Duration) FindOption { return findOptionFunc(func(o *findOptions) { o.minAge = d }) }

// MaxWait is how long Find retries, with backoff, before it reports: holds
// released meanwhile (rows closed by a deferred call, a release on another
// goroutine) are not leaks. Default 1 s.
func MaxWait(d time.Duration) FindOption {
	return findOptionFunc(func(o *findOptions) { o.maxWait = d })
}

// IgnoreKind ignores holds of one kind ([LeakPGXConn], [LeakRedisPubSub],
// ...), e.g. a PubSub the service keeps open on purpose.
func IgnoreKind(kind string) FindOption {
	return findOptionFunc(func(o *findOptions) { o.ignore = append(o.ignore, kind) })
}

// IgnoreFunction ignores holds whose acquiring function (the first
// application frame, e.g. "main.(*Notifier).run") is fn.
func IgnoreFunction(fn string) FindOption {
	return findOptionFunc(func(o *findOptions) { o.ignoreFn = append(o.ignoreFn, fn) })
}

// Find reports the connections, queries and Redis connections held now,
// like goleak.Find for goroutines: it retries until MaxWait for them to be
// released, then returns an error describing each group (kind, source,
// count, age, function, routes), or nil. Redis connections held outside
// the pool (Conn() not closed) are reported by count.
func (p *Probe) Find(opts ...FindOption) error {
	p.init()
	o := findOptions{maxWait: time.Second}
	for _, opt := range opts {
		if opt != nil {
			opt.applyFind(&o)
		}
	}
	deadline := time.Now().Add(o.maxWait)
	delay := time.Millisecond
	for {
		msg := p.findOnce(o)
		if msg == "" {
			return nil
		}
		if time.Now().Add(delay).After(deadline) {
			return fmt.Errorf("probe: found leaks:\n%s", msg)
		}
		time.Sleep(delay)
		delay = min(2*delay, 100*time.Millisecond)
	}
}

func (p *Probe) findOnce(o findOptions) string {
	var b strings.Builder
	r, counts := p.leaks(o.minAge, true)
	for _, g := range r.Groups {
		if contains(o.ignore, g.Kind) || contains(o.ignoreFn, g.Function) {
			continue
		}
		fmt.Fprintf(&b, "  %d %s from %s, oldest %.1fs", g.Count, g.Kind, g.Source, g.OldestSeconds)
		if g.Function != "" {
			fmt.Fprintf(&b, ", in %s", g.Function)
			if len(g.Stack) > 0 {
				fmt.Fprintf(&b, " (%s:%d)", g.Stack[0].File, g.Stack[0].Line)
			}
		}
		if g.SQL != "" {
			fmt.Fprintf(&b, ", query %q", g.SQL)
		}
		for _, r := range g.Routes {
			fmt.Fprintf(&b, ", %d by %s %s", r.Count, r.Method, r.Route)
		}
		b.WriteByte('\n')
	}
	for _, c := range counts {
		if !contains(o.ignore, c.Kind) {
			fmt.Fprintf(&b, "  %d %s from %s: %s\n", c.Count, c.Kind, c.Source, untrackedWhat(c.Kind))
		}
	}
	return b.String()
}

// untrackedWhat says what a count of untracked holds of kind is.
func untrackedWhat(kind string) string {
	if kind == LeakRedisConn {
		return "connections out of the pool and not running a command (Conn() not closed?)"
	}
	return "held, counted without being tracked one by one"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestingT is the part of *testing.T that [Probe.VerifyNone] uses.
type TestingT interface {
	Helper()
	Error(args ...any)
}

// VerifyNone fails t if [Probe.Find] reports leaks. Use it at the end of a
// test, or deferred:
//
//	defer p.VerifyNone(t)
func (p *Probe) VerifyNone(t TestingT, opts ...FindOption) {
	t.Helper()
	if err := p.Find(opts...); err != nil {
		t.Error(err)
	}
}

package probe

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/soaklab/soak/probe/label"
)

// Kinds of held resources in a [LeakReport].
const (
	LeakPGXConn     = "pgx-conn"     // a pool connection acquired and not released
	LeakPGXQuery    = "pgx-query"    // a query started and not ended: rows not closed
	LeakPGXHijacked = "pgx-hijacked" // a connection hijacked from the pool and not closed
	LeakRedisPubSub = "redis-pubsub" // a PubSub connection not closed
	LeakRedisConn   = "redis-conn"   // connections held outside the pool (Conn()), counted only
)

// LeakReport lists what is held now, grouped by kind, source and stack.
// It is served at /leaks and returned by [Probe.Leaks].
type LeakReport struct {
	Time time.Time `json:"time"`
	// MinAgeSeconds is the age a hold needed to be listed.
	MinAgeSeconds float64     `json:"min_age_seconds"`
	Groups        []LeakGroup `json:"groups"`
	// StacksDropped counts holds whose stack was not kept because the
	// stack table was full (cumulative).
	StacksDropped uint64 `json:"stacks_dropped"`
}

// LeakGroup is the holds of one kind from one source with one stack.
type LeakGroup struct {
	Kind string `json:"kind"`
	// Source names the pool or Redis client.
	Source string `json:"source"`
	// SQL is the statement, for pgx-query groups.
	SQL           string    `json:"sql,omitempty"`
	Count         int       `json:"count"`
	OldestSince   time.Time `json:"oldest_since"`
	OldestSeconds float64   `json:"oldest_seconds"`
	NewestSeconds float64   `json:"newest_seconds"`
	// Function is the first application frame of Stack: the function
	// that acquired (or queried, or subscribed).
	Function string  `json:"function,omitempty"`
	Stack    []Frame `json:"stack,omitempty"`
	// Routes counts the holds by the route of the request that made them
	// (from the middleware's labels), most first, at most 10.
	Routes []LeakRoute `json:"routes,omitempty"`
	// Holders lists the oldest holds (at most 10) with their labels.
	Holders []LeakHolder `json:"holders,omitempty"`
}

// LeakRoute counts holds made by requests of one route.
type LeakRoute struct {
	Method string `json:"method"`
	Route  string `json:"route"`
	Count  int    `json:"count"`
}

// LeakHolder is one hold: since when and by which request.
type LeakHolder struct {
	Since      time.Time `json:"since"`
	AgeSeconds float64   `json:"age_seconds"`
	Method     string    `json:"method,omitempty"`
	Route      string    `json:"route,omitempty"`
	Run        string    `json:"run,omitempty"`
	Class      string    `json:"class,omitempty"`
	User       string    `json:"user,omitempty"`
	Request    string    `json:"request,omitempty"`
}

// LeakSummary is the leak section of every [Snapshot]: gauges at Time.
type LeakSummary struct {
	ThresholdSeconds float64 `json:"threshold_seconds"`
	// Suspects counts holds of every kind older than the threshold.
	Suspects int `json:"suspects"`
	// RedisOpenPubSub counts PubSub connections open now.
	RedisOpenPubSub int    `json:"redis_open_pubsub"`
	Stacks          int    `json:"stacks"`
	StacksDropped   uint64 `json:"stacks_dropped"`
	// StackUnwinder says how acquiring stacks are captured:
	// [UnwinderFramePointers] or [UnwinderCallers] (see
	// [WithFramePointers]).
	StackUnwinder string `json:"stack_unwinder"`
}

// held returns what the sources registered with AddPool and AddRedis
// hold now (HoldLister), and with withCounts the counts of what they hold
// untracked (HoldCounter).
func (p *Probe) held(withCounts bool) (holds, counts []Held) {
	for _, src := range p.sources() {
		if l, ok := src.(HoldLister); ok {
			holds = l.AppendHolds(holds)
		}
		if c, ok := src.(HoldCounter); ok && withCounts {
			counts = c.AppendCounts(counts)
		}
	}
	holds = slices.DeleteFunc(holds, func(h Held) bool { return h.Hold.IsZero() })
	counts = slices.DeleteFunc(counts, func(h Held) bool { return h.Count <= 0 })
	return holds, counts
}

// Leaks returns what has been held for at least minAge, grouped by kind,
// source and stack, oldest groups first. minAge 0 lists every hold; the
// admin endpoint's default is the leak threshold ([WithLeakThreshold]).
func (p *Probe) Leaks(minAge time.Duration) *LeakReport {
	p.init()
	r, _ := p.leaks(minAge, false)
	return r
}

// leaks is Leaks, and with withCounts the counts of what is held
// untracked.
func (p *Probe) leaks(minAge time.Duration, withCounts bool) (*LeakReport, []Held) {
	now := p.now()
	ns := p.stampAt(now)
	items, counts := p.held(withCounts)
	items = slices.DeleteFunc(items, func(h Held) bool { return ns.sub(h.Hold.since) < minAge })
	r := &LeakReport{Time: now, MinAgeSeconds: minAge.Seconds(), StacksDropped: p.stacks.dropped.Load(), Groups: []LeakGroup{}}
	type key struct {
		kind, source, sql string
		stack             stackID
	}
	idx := map[key]int{}
	var members [][]Held
	for _, it := range items {
		k := key{it.Kind, it.Source, it.SQL, it.Hold.stack}
		i, ok := idx[k]
		if !ok {
			i = len(members)
			idx[k] = i
			members = append(members, nil)
		}
		members[i] = append(members[i], it)
	}
	for _, m := range members {
		r.Groups = append(r.Groups, p.group(ns, m))
	}
	slices.SortFunc(r.Groups, func(a, b LeakGroup) int {
		return cmp.Or(a.OldestSince.Compare(b.OldestSince), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Function, b.Function))
	})
	return r, counts
}

func (p *Probe) group(now stamp, m []Held) LeakGroup {
	slices.SortFunc(m, func(a, b Held) int { return cmp.Compare(a.Hold.since, b.Hold.since) })
	oldest, newest := m[0].Hold, m[len(m)-1].Hold
	g := LeakGroup{
		Kind: m[0].Kind, Source: m[0].Source, SQL: m[0].SQL, Count: len(m),
		OldestSince:   p.timeOf(oldest.since),
		OldestSeconds: now.sub(oldest.since).Seconds(),
		NewestSeconds: now.sub(newest.since).Seconds(),
		Stack:         p.stacks.frames(oldest.stack),
	}
	if len(g.Stack) > 0 {
		g.Function = g.Stack[0].Function
	}
	routes := map[[2]string]int{}
	for i, it := range m {
		if info := it.Hold.info; info != nil {
			routes[[2]string{info.Method, info.Route}]++
		}
		if i < 10 {
			g.Holders = append(g.Holders, p.holder(now, it.Hold))
		}
	}
	for k, n := range routes {
		g.Routes = append(g.Routes, LeakRoute{Method: k[0], Route: k[1], Count: n})
	}
	slices.SortFunc(g.Routes, func(a, b LeakRoute) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Route, b.Route), strings.Compare(a.Method, b.Method))
	})
	if len(g.Routes) > 10 {
		g.Routes = g.Routes[:10]
	}
	return g
}

func (p *Probe) holder(now stamp, h Hold) LeakHolder {
	l := LeakHolder{Since: p.timeOf(h.since), AgeSeconds: now.sub(h.since).Seconds()}
	if i := h.info; i != nil {
		l.Method, l.Route = i.Method, i.Route
		l.Run, l.Class, l.User, l.Request = validLabel(i.Run), validLabel(i.Class), validLabel(i.User), validLabel(i.Request)
	}
	return l
}

// validLabel keeps a label only if it is a valid soak label (the Info may
// have been built by other code than label.Parse).
func validLabel(s string) string {
	if label.Valid(s) {
		return s
	}
	return ""
}

func (p *Probe) leakSummary(now time.Time) LeakSummary {
	thr := p.opts.leakThreshold
	s := LeakSummary{ThresholdSeconds: thr.Seconds(), Stacks: p.stacks.len(), StacksDropped: p.stacks.dropped.Load(),
		StackUnwinder: p.stacks.unwinder()}
	ns := p.stampAt(now)
	items, _ := p.held(false)
	for _, it := range items {
		if it.Kind == LeakRedisPubSub {
			s.RedisOpenPubSub++
		}
		if ns.sub(it.Hold.since) >= thr {
			s.Suspects++
		}
	}
	return s
}

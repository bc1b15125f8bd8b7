package middleware

import (
	"context"
	"net/http"
	"runtime/pprof"
	"strings"
	"sync/atomic"

	"github.com/soaklab/soak/probe/label"
)

// labelerSlots is the number of label combinations a [Labeler] keeps, a
// power of two. Each slot holds at most one (about 600 bytes with its
// strings), so a Labeler holds at most ~1.2 MB however many it sees.
const labelerSlots = 2048

// Labeler labels requests as [RunLabeled] does (a [*label.Info] in the
// request context and the same pprof labels on the handling goroutine)
// for one allocation per request instead of seven: it keeps the pprof
// label set of each distinct combination of run, user class, request
// name, method and route it has seen in a fixed-size, lock-free cache (a
// direct-mapped table of 2048 slots; a combination that collides with
// another replaces it), and builds the request copy and its context node
// in one allocation. The request's label.Info is made when first asked
// for ([label.FromContext]), at most once per request.
//
// The virtual user's number is not part of a combination: it is in the
// request's label.Info (where the probe's leak registry reads which user
// held a connection) but not in the pprof labels, so the requests of a
// soak of 10,000 users share the few combinations of its routes and
// classes instead of replacing cached entries on every request
// (BenchmarkLabelerUsers).
//
// The zero Labeler is not usable; make one with [NewLabeler]. It is safe
// for concurrent use. Its memory is bounded (about 1.2 MB at most) however
// many distinct combinations it sees.
type Labeler struct {
	table slotTable[labelKey, labelEntry]
}

// NewLabeler returns an empty Labeler.
func NewLabeler() *Labeler {
	return &Labeler{table: newSlotTable[labelKey, labelEntry](labelerSlots)}
}

// labelKey is what a cached entry is keyed by: the labels many requests
// share (the user's number is not among them).
type labelKey struct {
	run, class, request, method, route string
}

// labelEntry is one cached label combination: its key (strings copied
// from the first request that carried it) and a context made from
// context.Background holding its pprof labels and a template label.Info
// (the key's labels, no user): the context's Info key answers with it,
// which tells labelCtx.Value where to answer with the request's own.
type labelEntry struct {
	key  labelKey
	tmpl label.Info
	ctx  context.Context
}

// labelledRequest is what a labelled handler gets, allocated together: the
// request copy and its context node.
type labelledRequest struct {
	ctx labelCtx
	req http.Request
}

// labelCtx is a request context with the labels of a request over parent:
// Value answers the pprof label key from e and the label.Info key with
// the request's Info (shadowing any of parent's, as context.WithValue
// would), everything else from parent.
//
// The Info (e's labels and the user's number) is made when first asked
// for (the probe asks when the handler takes a database connection, say),
// once per request: a request nobody asks about costs no Info, and an
// Info the probe keeps for a leaked connection pins neither the request
// nor its context.
type labelCtx struct {
	context.Context
	e    *labelEntry
	user string
	info atomic.Pointer[label.Info]
}

func (c *labelCtx) Value(key any) any {
	if v := c.e.ctx.Value(key); v != nil {
		if _, ok := v.(*label.Info); ok { // the template: answer the request's own
			return c.requestInfo()
		}
		return v
	}
	return c.Context.Value(key)
}

// requestInfo returns the request's Info, making it on the first call
// (concurrent first calls agree on one).
func (c *labelCtx) requestInfo() *label.Info {
	if info := c.info.Load(); info != nil {
		return info
	}
	info := c.e.tmpl
	info.User = c.user
	if c.info.CompareAndSwap(nil, &info) {
		return &info
	}
	return c.info.Load()
}

func (c *labelCtx) String() string { return "middleware.labelCtx" }

// Begin sets the pprof labels of set (all but the user's number), method
// and route on the current goroutine and returns a shallow copy of r whose
// context carries them and the matching [*label.Info], the user's number
// included (for [label.FromContext]). The caller serves the returned
// request and then calls [Labeler.End] with r, also when the handler
// panics (in a defer). Empty values are left out, as in [RunLabeled]. When
// r's context already carries pprof labels they are merged with these, as
// pprof.Do would, at RunLabeled's cost.
func (l *Labeler) Begin(r *http.Request, set label.Set, method, route string) *http.Request {
	parent := r.Context()
	if hasPprofLabels(parent) {
		info := &label.Info{Set: set, Method: method, Route: route}
		ctx := pprof.WithLabels(label.NewContext(parent, info), pprofSet(info))
		pprof.SetGoroutineLabels(ctx)
		return r.WithContext(ctx)
	}
	e := l.entry(labelKey{run: set.Run, class: set.Class, request: set.Request, method: method, route: route})
	pprof.SetGoroutineLabels(e.ctx)
	lr := &labelledRequest{ctx: labelCtx{Context: parent, e: e, user: set.User}}
	lr.req = *r.WithContext(&lr.ctx) // WithContext is inlined: its copy stays on the stack
	return &lr.req
}

// End restores the goroutine's pprof labels to those of r's context (the
// request given to [Labeler.Begin]).
func (l *Labeler) End(r *http.Request) { pprof.SetGoroutineLabels(r.Context()) }

// entry returns the cached entry for k, making it on a miss.
func (l *Labeler) entry(k labelKey) *labelEntry {
	slot := l.table.slot(k)
	if e := slot.Load(); e != nil && e.key == k {
		return e
	}
	// Copy the strings so that the cache does not pin the request's
	// header memory.
	e := &labelEntry{key: labelKey{
		run: strings.Clone(k.run), class: strings.Clone(k.class), request: strings.Clone(k.request),
		method: strings.Clone(k.method), route: strings.Clone(k.route),
	}}
	e.tmpl = label.Info{
		Set:    label.Set{Run: e.key.run, Class: e.key.class, Request: e.key.request},
		Method: e.key.method, Route: e.key.route,
	}
	e.ctx = pprof.WithLabels(label.NewContext(context.Background(), &e.tmpl), pprofSet(&e.tmpl))
	slot.Store(e)
	return e
}

// hasPprofLabels reports whether ctx carries any pprof label.
func hasPprofLabels(ctx context.Context) bool {
	found := false
	pprof.ForLabels(ctx, func(string, string) bool { found = true; return false })
	return found
}

// pprofSet is the pprof label set of info: its non-empty values under the
// Pprof* keys. The user's number is not one of them: a label per virtual
// user would split profiles into as many label sets as the soak has users
// (profiles are read by route, class and request), and would cost the
// Labeler its cache.
func pprofSet(info *label.Info) pprof.LabelSet {
	// Keys in sorted order: pprof.Labels then skips its sort.
	args := make([]string, 0, 10)
	args = appendLabel(args, PprofMethod, info.Method)
	args = appendLabel(args, PprofRoute, info.Route)
	args = appendLabel(args, PprofClass, info.Class)
	args = appendLabel(args, PprofRequest, info.Request)
	args = appendLabel(args, PprofRun, info.Run)
	return pprof.Labels(args...)
}

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
// strings), so at most ~1.2 MB however many it sees.
const labelerSlots = 2048

// valueSlots is the number of header values (without their user field) a
// [Labeler] keeps parsed, a power of two. Each slot holds at most one
// (about 500 bytes with the longest values) and keeps its last label
// combination and route hint alive (about 850 bytes more when those have
// left their tables), so at most ~1.4 MB.
const valueSlots = 1024

// Labeler labels requests as [RunLabeled] does (a [*label.Info] in the
// request context and the same pprof labels on the handling goroutine)
// for one allocation per request instead of seven: it keeps the pprof
// label set of each distinct combination of run, user class, request
// name, method and route it has seen in a fixed-size, lock-free cache (a
// direct-mapped table of 2048 slots; a combination that collides with
// another replaces it), reads each distinct label header once ([Labeler.Parse]
// keeps 1024 header values parsed, with the combination their last
// request used), and builds the request copy and its context node in one
// allocation. The request's label.Info is made when first asked
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
// for concurrent use. Its memory is bounded (about 2.6 MB at most) however
// many distinct combinations and header values it sees.
type Labeler struct {
	table  slotTable[labelKey, labelEntry]
	values slotTable[[2]string, valueEntry]
}

// NewLabeler returns an empty Labeler.
func NewLabeler() *Labeler {
	return &Labeler{
		table:  newSlotTable[labelKey, labelEntry](labelerSlots),
		values: newSlotTable[[2]string, valueEntry](valueSlots),
	}
}

// Labels is a request's soak labels as [Labeler.Parse] read them: the Set
// [label.Parse] returns, and a link to the Labeler's cached entry for the
// header they came from, with which [Labeler.Begin] finds the request's
// label set without hashing its labels. Labels{Set: s} is valid too, and
// so are Labels whose run, class or request the caller changed after
// Parse: Begin then looks the set up by its labels.
type Labels struct {
	label.Set
	value *valueEntry // nil when the header was not cached
}

// valueEntry is one cached [label.Header] value without its user field
// (split around it: before and after), parsed, with the label set of the
// last request that carried it (its method and route may differ from the
// next request's) and, for the net/http middleware, the route hint of its
// request name that request used ([routeHints]).
type valueEntry struct {
	before, after string
	set           label.Set // the value's labels; User is empty
	last          atomic.Pointer[labelEntry]
	hint          atomic.Pointer[routeHint]
}

// Parse returns the soak labels of a request with headers h, exactly as
// [label.Parse] does, through a cache of the header values seen (without
// their user field, which is what differs between the virtual users
// sending the same request): a cached value costs a hash and a comparison
// instead of a parse, and tells Begin its label set. A value with more
// than one user field, or whose user field does not start a field with
// exactly "user=", is parsed every time. It does not allocate once the
// value is cached; the cache is bounded (1024 values, about 1.4 MB at
// most with what they keep alive).
func (l *Labeler) Parse(h http.Header) Labels { return l.ParseValues(h[label.Header]) }

// ParseValues is [Labeler.Parse] of a request's label header values vs
// (h[label.Header]), for middleware that looks the header up once (see
// [LabelMode.Lookup]). Safe for concurrent use.
func (l *Labeler) ParseValues(vs []string) Labels {
	if len(vs) != 1 {
		return Labels{}
	}
	return l.parseValue(vs[0])
}

// parseValue is Parse of a header value v (Parse stays small enough to be
// inlined, so that an unlabelled request costs no call).
func (l *Labeler) parseValue(v string) Labels {
	before, user, after, found := label.CutUser(v)
	if !found {
		return Labels{Set: label.ParseValue(v)}
	}
	if !label.Valid(user) {
		user = ""
	}
	slot := l.values.slot([2]string{before, after})
	e := slot.Load()
	if e == nil || e.before != before || e.after != after {
		rest := before + after // a copy, so that the cache does not pin the request
		if label.HasKey(rest, label.KeyUser) {
			return Labels{Set: label.ParseValue(v)}
		}
		e = &valueEntry{before: rest[:len(before)], after: rest[len(before):], set: label.ParseValue(rest)}
		slot.Store(e)
	}
	set := e.set
	set.User = user
	return Labels{Set: set, value: e}
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

// Begin sets the pprof labels of labels (all but the user's number),
// method and route on the current goroutine and returns a shallow copy of
// r whose context carries them and the matching [*label.Info], the user's
// number included (for [label.FromContext]). The caller serves the returned
// request and then calls [Labeler.End] with it, also when the handler
// panics (in a defer). Empty values are left out, as in [RunLabeled]. When
// r's context already carries pprof labels they are merged with these, as
// pprof.Do would, at RunLabeled's cost.
func (l *Labeler) Begin(r *http.Request, labels Labels, method, route string) *http.Request {
	parent := r.Context()
	if hasPprofLabels(parent) {
		info := &label.Info{Set: labels.Set, Method: method, Route: route}
		ctx := &mergedCtx{
			Context: pprof.WithLabels(label.NewContext(parent, info), pprofSet(info)),
			parent:  parent,
		}
		pprof.SetGoroutineLabels(ctx)
		return r.WithContext(ctx)
	}
	e := l.labelled(labels, method, route)
	pprof.SetGoroutineLabels(e.ctx)
	lr := &labelledRequest{ctx: labelCtx{Context: parent, e: e, user: labels.User}}
	lr.req = *r.WithContext(&lr.ctx) // WithContext is inlined: its copy stays on the stack
	return &lr.req
}

// End restores the goroutine's pprof labels to those of the context of
// the request given to [Labeler.Begin]. Give it the request Begin
// returned: End then knows those labels without looking them up (Begin
// found them; the lookup walks the request's context, four nodes in a
// net/http server). A request whose context no Begin made gets the
// labels of its own context.
func (l *Labeler) End(r *http.Request) {
	switch ctx := r.Context().(type) {
	case *labelCtx: // made by Begin over a context without pprof labels
		pprof.SetGoroutineLabels(context.Background())
	case *mergedCtx:
		pprof.SetGoroutineLabels(ctx.parent)
	default:
		pprof.SetGoroutineLabels(ctx)
	}
}

// mergedCtx is the context [Labeler.Begin] gives a request whose context
// had pprof labels already: the merged labels over parent, which
// [Labeler.End] restores the goroutine's labels to.
type mergedCtx struct {
	context.Context
	parent context.Context
}

func (c *mergedCtx) String() string { return "middleware.mergedCtx" }

// labelled returns the label set of labels, method and route: the one the
// last request with the same header value used when its method and route
// were the same, else the cached (or a new) one.
func (l *Labeler) labelled(labels Labels, method, route string) *labelEntry {
	v := labels.cached()
	if v == nil {
		return l.entry(labelKey{run: labels.Run, class: labels.Class, request: labels.Request, method: method, route: route})
	}
	if e := v.last.Load(); e != nil && e.key.method == method && e.key.route == route {
		return e
	}
	e := l.entry(labelKey{run: labels.Run, class: labels.Class, request: labels.Request, method: method, route: route})
	v.last.Store(e)
	return e
}

// cached returns the cached header value labels were read from, or nil
// when there is none or the caller changed labels' run, class or request
// since (the value's label set and route hint are then not theirs). The
// strings Parse returned are the value's own, so the compare is of
// pointers unless they were changed.
func (ls *Labels) cached() *valueEntry {
	v := ls.value
	if v == nil || ls.Run != v.set.Run || ls.Class != v.set.Class || ls.Request != v.set.Request {
		return nil
	}
	return v
}

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

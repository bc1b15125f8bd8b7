package middleware

import (
	"context"
	"hash/maphash"
	"net/http"
	"runtime/pprof"
	"strings"
	"sync/atomic"

	"github.com/soaklab/soak/probe/label"
)

// labelerSlots is the number of label sets a [Labeler] keeps, a power of
// two. Each slot holds at most one set (about 700 bytes with its strings),
// so a Labeler holds at most ~1.4 MB however many distinct sets it sees.
const labelerSlots = 2048

// Labeler labels requests as [RunLabeled] does (a [*label.Info] in the
// request context and the same pprof labels on the handling goroutine)
// for about one allocation per request instead of seven: it keeps the
// label.Info and the pprof label set of each distinct label combination it
// has seen in a fixed-size, lock-free cache (a direct-mapped table of 2048
// slots; a combination that collides with another replaces it), and builds
// the request copy and its context node in one allocation.
//
// The zero Labeler is not usable; make one with [NewLabeler]. It is safe
// for concurrent use. Its memory is bounded (about 1.4 MB at most) however
// many distinct label sets it sees.
type Labeler struct {
	seed  maphash.Seed
	slots [labelerSlots]atomic.Pointer[labelEntry]
}

// NewLabeler returns an empty Labeler.
func NewLabeler() *Labeler { return &Labeler{seed: maphash.MakeSeed()} }

// labelEntry is one cached label combination: the Info shared (read-only)
// by every request that carries it, and a context holding only that Info
// and its pprof labels, made from context.Background.
type labelEntry struct {
	info label.Info
	ctx  context.Context
}

// labelledRequest is the request copy a labelled handler gets and the
// context node it carries, allocated together.
type labelledRequest struct {
	ctx labelCtx
	req http.Request
}

// labelCtx is a request context with the labels of e over parent: Value
// answers the label.Info and pprof label keys from e (shadowing any of
// parent's, as context.WithValue would), everything else from parent.
type labelCtx struct {
	context.Context
	e *labelEntry
}

func (c *labelCtx) Value(key any) any {
	if v := c.e.ctx.Value(key); v != nil {
		return v
	}
	return c.Context.Value(key)
}

func (c *labelCtx) String() string { return "middleware.labelCtx" }

// Begin sets the pprof labels of set, method and route on the current
// goroutine and returns a shallow copy of r whose context carries them and
// the matching [*label.Info] (for [label.FromContext]). The caller serves
// the returned request and then calls [Labeler.End] with r, also when the
// handler panics (in a defer). Empty values are left out, as in
// [RunLabeled]. When r's context already carries pprof labels they are
// merged with these, as pprof.Do would, at RunLabeled's cost.
func (l *Labeler) Begin(r *http.Request, set label.Set, method, route string) *http.Request {
	parent := r.Context()
	if hasPprofLabels(parent) {
		info := &label.Info{Set: set, Method: method, Route: route}
		ctx := pprof.WithLabels(label.NewContext(parent, info), pprofSet(info))
		pprof.SetGoroutineLabels(ctx)
		return r.WithContext(ctx)
	}
	e := l.entry(set, method, route)
	pprof.SetGoroutineLabels(e.ctx)
	lr := &labelledRequest{ctx: labelCtx{Context: parent, e: e}}
	lr.req = *r.WithContext(&lr.ctx) // WithContext is inlined: its copy stays on the stack
	return &lr.req
}

// End restores the goroutine's pprof labels to those of r's context (the
// request given to [Labeler.Begin]).
func (l *Labeler) End(r *http.Request) { pprof.SetGoroutineLabels(r.Context()) }

// entry returns the cached entry for the combination, making it on a miss.
func (l *Labeler) entry(set label.Set, method, route string) *labelEntry {
	var h maphash.Hash
	h.SetSeed(l.seed)
	for _, s := range [...]string{set.Run, set.Class, set.User, set.Request, method, route} {
		h.WriteString(s)
		h.WriteByte(0) // not a label byte: separates the fields
	}
	slot := &l.slots[h.Sum64()&(labelerSlots-1)]
	want := label.Info{Set: set, Method: method, Route: route}
	if e := slot.Load(); e != nil && e.info == want {
		return e
	}
	// Copy the strings so that the cache does not pin the request's
	// header memory.
	e := &labelEntry{info: label.Info{
		Set: label.Set{
			Run: strings.Clone(set.Run), Class: strings.Clone(set.Class),
			User: strings.Clone(set.User), Request: strings.Clone(set.Request),
		},
		Method: strings.Clone(method), Route: strings.Clone(route),
	}}
	e.ctx = pprof.WithLabels(label.NewContext(context.Background(), &e.info), pprofSet(&e.info))
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
// Pprof* keys.
func pprofSet(info *label.Info) pprof.LabelSet {
	// Keys in sorted order: pprof.Labels then skips its sort.
	args := make([]string, 0, 12)
	args = appendLabel(args, PprofMethod, info.Method)
	args = appendLabel(args, PprofRoute, info.Route)
	args = appendLabel(args, PprofClass, info.Class)
	args = appendLabel(args, PprofRequest, info.Request)
	args = appendLabel(args, PprofRun, info.Run)
	args = appendLabel(args, PprofUser, info.User)
	return pprof.Labels(args...)
}

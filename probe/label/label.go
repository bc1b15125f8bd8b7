package label

import (
	"context"
	"net/http"
)

// Header names sent by the soak engine with every request. They are
// canonical MIME header keys, so lookups in an [http.Header] need no
// canonicalisation.
const (
	// HeaderRun names the soak run, e.g. "20261128T051500Z-3f9a".
	HeaderRun = "Soak-Run"
	// HeaderClass names the virtual user's class, e.g. "AuthenticatedUser".
	HeaderClass = "Soak-Class"
	// HeaderUser is the virtual user's number within the run, e.g. "17".
	HeaderUser = "Soak-User"
	// HeaderRequest is the request's grouping name, e.g. "/api/stories/[slug]".
	HeaderRequest = "Soak-Request"
)

// MaxLen is the longest label value accepted, in bytes. Longer values are
// ignored, never truncated, so that a label is either exactly what the
// engine sent or absent.
const MaxLen = 96

// Set is the labels soak sends with a request. A zero Set means the request
// did not come from soak (or its headers were invalid).
type Set struct {
	Run     string // soak run id
	Class   string // user class name
	User    string // virtual user number
	Request string // request grouping name
}

// IsZero reports whether no label is set.
func (s Set) IsZero() bool { return s == Set{} }

// Parse reads the soak headers from h. A header that is missing, repeated,
// longer than [MaxLen] or not made of [Valid] bytes is ignored (its field
// stays empty); Parse never fails and never allocates beyond what the
// header map already holds.
func Parse(h http.Header) Set {
	return Set{
		Run:     get(h, HeaderRun),
		Class:   get(h, HeaderClass),
		User:    get(h, HeaderUser),
		Request: get(h, HeaderRequest),
	}
}

func get(h http.Header, key string) string {
	v := h[key]
	if len(v) != 1 || !Valid(v[0]) {
		return ""
	}
	return v[0]
}

// Valid reports whether v is an acceptable label value: 1 to [MaxLen] bytes
// of ASCII letters, digits and the punctuation - _ . : / [ ] @ + = ~.
// Spaces, control bytes, quotes and non-ASCII bytes are refused so that a
// label is safe to print in a report, a log line or a pprof label.
func Valid(v string) bool {
	if len(v) == 0 || len(v) > MaxLen {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !allowed[v[i]] {
			return false
		}
	}
	return true
}

var allowed = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "-_.:/[]@+=~" {
		t[c] = true
	}
	return t
}()

// Info is what the middleware knows about a request in flight: the soak
// labels, the HTTP method and the matched route template ("/api/stories/:slug"
// for echo, the ServeMux pattern for net/http; never the raw URL).
//
// An Info stored in a context must not be modified afterwards: readers on
// other goroutines (the probe's leak registry) read it without locking.
type Info struct {
	Set
	Method string
	Route  string
}

type ctxKey struct{}

// NewContext returns a copy of ctx that carries info.
func NewContext(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, ctxKey{}, info)
}

// FromContext returns the Info stored by [NewContext], or nil.
// ctx may be nil.
func FromContext(ctx context.Context) *Info {
	if ctx == nil {
		return nil
	}
	info, _ := ctx.Value(ctxKey{}).(*Info)
	return info
}

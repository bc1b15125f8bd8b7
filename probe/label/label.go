package label

import (
	"context"
	"net/http"
	"strings"
)

// Header is the request header in which the soak engine sends a request's
// labels, one header for all of them:
//
//	Soak-Labels: run=20261128T051500Z-3f9a;class=AuthenticatedUser;user=17;request=/api/stories/[slug]
//
// The value is fields "key=value" separated by ";" (spaces and tabs around
// a key or a value are ignored), with the keys [KeyRun], [KeyClass],
// [KeyUser] and [KeyRequest]; other keys are ignored, so that a later
// engine may add one.
// One header, not one per label, because the service under test parses
// every header of every request: four headers cost Go's net/http server
// ~8 allocations and ~0.7 µs per request, one costs 2 allocations
// (BenchmarkServerReadsLabels). Header is a canonical MIME header key, so
// a lookup in an [http.Header] needs no canonicalisation.
const Header = "Soak-Labels"

// The keys of the fields in [Header].
const (
	KeyRun     = "run"     // the soak run id, e.g. "20261128T051500Z-3f9a"
	KeyClass   = "class"   // the virtual user's class, e.g. "AuthenticatedUser"
	KeyUser    = "user"    // the virtual user's number within the run, e.g. "17"
	KeyRequest = "request" // the request's grouping name, e.g. "/api/stories/[slug]"
)

// MaxLen is the longest label value accepted, in bytes. Longer values are
// ignored, never truncated, so that a label is either exactly what the
// engine sent or absent.
const MaxLen = 96

// Set is the labels soak sends with a request. A zero Set means the request
// did not come from soak (or its labels were invalid).
type Set struct {
	Run     string // soak run id
	Class   string // user class name
	User    string // virtual user number
	Request string // request grouping name
}

// IsZero reports whether no label is set.
func (s Set) IsZero() bool { return s == Set{} }

// Parse reads the soak labels from h's [Header]. A field that is missing,
// repeated, longer than [MaxLen] or not made of [Valid] bytes is ignored (its
// label stays empty), and so is a repeated header; Parse never fails and
// never allocates (the labels are substrings of the header's value).
func Parse(h http.Header) Set {
	v := h[Header]
	if len(v) != 1 {
		return Set{}
	}
	return ParseValue(v[0])
}

// ParseValue reads the labels from a [Header] value, by the rules of
// [Parse].
func ParseValue(v string) Set {
	var s Set
	var seen [4]bool
	for len(v) > 0 {
		var k, val string
		var ok bool
		if k, val, v, ok = nextField(v); !ok {
			continue
		}
		var i int
		var dst *string
		switch k {
		case KeyRun:
			i, dst = 0, &s.Run
		case KeyClass:
			i, dst = 1, &s.Class
		case KeyUser:
			i, dst = 2, &s.User
		case KeyRequest:
			i, dst = 3, &s.Request
		default:
			continue
		}
		if seen[i] { // repeated: neither value is trusted
			*dst = ""
			continue
		}
		seen[i] = true
		if Valid(val) {
			*dst = val
		}
	}
	return s
}

// CutUser cuts the user field out of a [Header] value, for a cache of
// parsed values that the requests of many virtual users share (the value
// the engine sends differs from user to user only in that field). The
// field is the first one that starts with exactly "user=" (at the start of
// v or right after a ";"); v is before + that field + after, where after
// is empty or starts with ";", and user is the field's value with the
// spaces and tabs around it trimmed, not yet checked with [Valid]. found
// is false when no field starts so.
//
// When found and [HasKey](before+after, KeyUser) is false (v has no other
// user field), ParseValue(v) is ParseValue(before+after) with User set to
// user if it is Valid: the rest of the value can be parsed once and cached.
func CutUser(v string) (before, user, after string, found bool) {
	const field = KeyUser + "="
	start := 0 // of the field
	if !strings.HasPrefix(v, field) {
		i := strings.Index(v, ";"+field)
		if i < 0 {
			return "", "", "", false
		}
		before, start = v[:i], i+1
	}
	rest := v[start+len(field):]
	end := strings.IndexByte(rest, ';')
	if end < 0 {
		end = len(rest)
	}
	return before, trimSpace(rest[:end]), rest[end:], true
}

// HasKey reports whether any field of the [Header] value v has the key
// key, as [ParseValue] reads keys (spaces and tabs around them ignored),
// whatever its value.
func HasKey(v, key string) bool {
	for len(v) > 0 {
		k, _, rest, ok := nextField(v)
		if ok && k == key {
			return true
		}
		v = rest
	}
	return false
}

// nextField splits the first field off a [Header] value v: its key and
// value, spaces and tabs around each trimmed, and the rest of v after the
// field's ";". ok is false when the field has no "=" (it has no key).
func nextField(v string) (key, value, rest string, ok bool) {
	field := v
	if i := strings.IndexByte(v, ';'); i >= 0 {
		field, rest = v[:i], v[i+1:]
	}
	eq := strings.IndexByte(field, '=')
	if eq < 0 {
		return "", "", rest, false
	}
	return trimSpace(field[:eq]), trimSpace(field[eq+1:]), rest, true
}

// trimSpace is s without its leading and trailing spaces and tabs.
func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// AppendValue appends s as a [Header] value to b: its fields that are
// [Valid], in the order run, class, user, request. A Set with no valid
// field appends nothing.
func (s Set) AppendValue(b []byte) []byte {
	n := len(b)
	for _, f := range [...]struct{ k, v string }{{KeyRun, s.Run}, {KeyClass, s.Class}, {KeyUser, s.User}, {KeyRequest, s.Request}} {
		switch {
		case !Valid(f.v):
		case len(b) == n:
			b = append(append(append(b, f.k...), '='), f.v...)
		default:
			b = AppendField(b, f.k, f.v)
		}
	}
	return b
}

// AppendField appends one more field, ";key=value", to b, a [Header] value
// with at least one field (the engine appends each request's name to its
// user's [Set.AppendValue] this way). value must be [Valid].
func AppendField(b []byte, key, value string) []byte {
	return append(append(append(append(b, ';'), key...), '='), value...)
}

// Value is s as a [Header] value ("" when no field is [Valid]).
func (s Set) Value() string { return string(s.AppendValue(nil)) }

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

// The pprof label keys soak's middleware sets on the goroutine that serves
// a labelled request (middleware.PprofMethod, ... are these), from [Info].
// Goroutines the handler starts inherit them, so a goroutine profile says
// which route started a goroutine that never returned.
const (
	PprofMethod  = "http.method"  // Info.Method
	PprofRoute   = "http.route"   // Info.Route
	PprofClass   = "soak.class"   // Info.Class
	PprofRequest = "soak.request" // Info.Request
	PprofRun     = "soak.run"     // Info.Run
)

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

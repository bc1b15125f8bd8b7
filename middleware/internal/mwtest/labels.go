package mwtest

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/http"
	"runtime/pprof"
	"strings"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/soaklab/soak/probe/label"
)

// Seen is what a handler found in its request context.
type Seen struct {
	Info   *label.Info
	Pprof  map[string]string
	Header http.Header // the response's header, for soak headers echoed back
}

// CaptureLabels reads the labels of a request context.
func CaptureLabels(ctx context.Context) Seen {
	s := Seen{Info: label.FromContext(ctx), Pprof: map[string]string{}}
	pprof.ForLabels(ctx, func(k, v string) bool { s.Pprof[k] = v; return true })
	return s
}

// SoakHeaders returns the soak label header with the non-empty values,
// as they are (an invalid value is sent, for the middleware to drop).
func SoakHeaders(run, class, user, req string) http.Header {
	var fields []string
	for _, f := range [...][2]string{{label.KeyRun, run}, {label.KeyClass, class}, {label.KeyUser, user}, {label.KeyRequest, req}} {
		if f[1] != "" {
			fields = append(fields, f[0]+"="+f[1])
		}
	}
	return http.Header{label.Header: {strings.Join(fields, ";")}}
}

// LabelCase is a request's soak headers under a label mode, and the
// labels the handler must see.
type LabelCase struct {
	Name string
	// Mode is the middleware.LabelMode by its String: "soak", "all",
	// "off".
	Mode   string
	Header http.Header
	Want   *label.Set // nil: no labels at all
}

// LabelCases are the cases both middlewares are tested with.
var LabelCases = []LabelCase{
	{"soak request", "soak", SoakHeaders("run-7", "AuthenticatedUser", "17", "/api/stories/[slug]"),
		&label.Set{Run: "run-7", Class: "AuthenticatedUser", User: "17", Request: "/api/stories/[slug]"}},
	{"not from soak", "soak", http.Header{"X-Other": {"1"}}, nil},
	{"oversized class ignored", "soak", SoakHeaders("", strings.Repeat("C", label.MaxLen+1), "3", ""), &label.Set{User: "3"}},
	{"only malformed labels", "soak", http.Header{
		label.Header: {"class=Authenticated User;user=1;user=2;run=rün;request=" + strings.Repeat("/x", 4000)},
	}, nil},
	{"all requests", "all", nil, &label.Set{}},
	{"off", "off", SoakHeaders("run-7", "A", "1", ""), nil},
}

// The pprof label keys the middleware sets, as documented (the tests
// check the values of middleware.PprofMethod, ... through them).
const (
	PprofMethod  = "http.method"
	PprofRoute   = "http.route"
	PprofClass   = "soak.class"
	PprofRequest = "soak.request"
	PprofRun     = "soak.run"
)

// CheckSeen checks that a handler saw want (nil: no labels) with method
// and route, in its context and as pprof labels, and that no soak header
// was echoed in the response.
func CheckSeen(t *testing.T, name string, got Seen, want *label.Set, method, route string) {
	t.Helper()
	if want == nil {
		if got.Info != nil || len(got.Pprof) != 0 {
			t.Errorf("%s: labelled: %+v %v", name, got.Info, got.Pprof)
		}
		return
	}
	wantInfo := label.Info{Set: *want, Method: method, Route: route}
	if got.Info == nil || *got.Info != wantInfo {
		t.Errorf("%s: context Info %+v, want %+v", name, got.Info, wantInfo)
	}
	wantPprof := map[string]string{PprofMethod: method, PprofRoute: route}
	for k, v := range map[string]string{PprofRun: want.Run, PprofClass: want.Class, PprofRequest: want.Request} {
		if v != "" {
			wantPprof[k] = v
		}
	}
	if fmt.Sprint(got.Pprof) != fmt.Sprint(wantPprof) {
		t.Errorf("%s: pprof labels %v, want %v", name, got.Pprof, wantPprof)
	}
	for k := range got.Header {
		if strings.HasPrefix(k, "Soak-") {
			t.Errorf("%s: soak header %s echoed in the response", name, k)
		}
	}
}

// SampleIn reports whether a profile sample has a frame of a function
// whose name ends in "."+fn.
func SampleIn(s *profile.Sample, fn string) bool {
	for _, loc := range s.Location {
		for _, l := range loc.Line {
			if l.Function != nil && strings.HasSuffix(l.Function.Name, "."+fn) {
				return true
			}
		}
	}
	return false
}

// GoroutineProfile returns a goroutine profile of the process, parsed
// back with the pprof profile package; it fails t when it cannot.
func GoroutineProfile(t testing.TB) *profile.Profile {
	t.Helper()
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 0); err != nil {
		t.Fatalf("goroutine profile: %v", err)
	}
	p, err := profile.Parse(&buf)
	if err != nil {
		t.Fatalf("goroutine profile: %v", err)
	}
	return p
}

// GoroutineLabels returns the pprof labels of the calling goroutine, read
// from a goroutine profile ([GoroutineProfile]): the sample whose stack
// holds this function. It fails t when the profile cannot be had or holds
// no such sample.
func GoroutineLabels(t testing.TB) map[string]string {
	t.Helper()
	for _, s := range GoroutineProfile(t).Sample {
		if !SampleIn(s, "GoroutineLabels") {
			continue
		}
		labels := map[string]string{}
		for k, vs := range s.Label {
			labels[k] = strings.Join(vs, ",")
		}
		return labels
	}
	t.Fatal("the goroutine profile has no sample of the calling goroutine")
	return nil
}

// CheckLabelsRestored serves a soak-labelled request (BenchRequest) on the
// calling goroutine through the middleware build wraps around a handler
// of GET /api/stories/{slug}: first with no pprof labels on the goroutine,
// then with one of its own set as pprof.Do would. It fails t unless the
// handler ran with the soak labels (and the outer one) and the goroutine's
// labels after the middleware returned are those it had before.
func CheckLabelsRestored(t *testing.T, build func(http.HandlerFunc) http.Handler) {
	t.Helper()
	defer pprof.SetGoroutineLabels(context.Background())
	var during map[string]string
	h := build(func(w http.ResponseWriter, r *http.Request) { during = GoroutineLabels(t) })
	for _, outer := range []map[string]string{{}, {"tenant": "a"}} {
		r := BenchRequest(true)
		if len(outer) > 0 {
			r = r.WithContext(pprof.WithLabels(r.Context(), pprof.Labels("tenant", outer["tenant"])))
		}
		pprof.SetGoroutineLabels(r.Context())
		during = nil
		h.ServeHTTP(&NopWriter{H: http.Header{}}, r)
		if during[PprofClass] != "AuthenticatedUser" || during["tenant"] != outer["tenant"] {
			t.Errorf("outer labels %v: the handler ran with labels %v", outer, during)
		}
		if got := GoroutineLabels(t); !maps.Equal(got, outer) {
			t.Errorf("outer labels %v: after the middleware the goroutine has %v", outer, got)
		}
	}
}

package middleware

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"runtime/pprof"
	"testing"

	"github.com/soaklab/soak/internal/testenv"
	"github.com/soaklab/soak/middleware/internal/mwtest"
	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/label"
)

type otherKey struct{}

// TestLabelerSets: every one of many more distinct label sets than the
// Labeler has slots (so slots collide and are replaced) reaches the
// request context exactly, user included, with the pprof labels of that
// set only (no user), while the parent context's own values and
// cancellation still show through.
func TestLabelerSets(t *testing.T) {
	l := NewLabeler()
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), otherKey{}, "kept"))
	r := httptest.NewRequest("GET", "/x", nil).WithContext(parent)
	for round := range 2 { // the second round finds entries cached or replaced
		for i := range 3 * labelerSlots {
			set := label.Set{Run: "run-1", Class: fmt.Sprintf("C%d", i%7), User: fmt.Sprint(i % 100), Request: fmt.Sprintf("/x/%d", i)}
			if i%5 == 0 {
				set.Run = "" // absent values stay absent
			}
			lr := l.Begin(r, Labels{Set: set}, "GET", "/x")
			got := mwtest.CaptureLabels(lr.Context())
			l.End(lr)
			want := label.Info{Set: set, Method: "GET", Route: "/x"}
			if got.Info == nil || *got.Info != want {
				t.Fatalf("round %d set %d: Info %+v, want %+v", round, i, got.Info, want)
			}
			wantPprof := map[string]string{PprofMethod: "GET", PprofRoute: "/x", PprofClass: set.Class, PprofRequest: set.Request}
			if set.Run != "" {
				wantPprof[PprofRun] = set.Run
			}
			if fmt.Sprint(got.Pprof) != fmt.Sprint(wantPprof) {
				t.Fatalf("round %d set %d: pprof labels %v, want %v", round, i, got.Pprof, wantPprof)
			}
			if v := lr.Context().Value(otherKey{}); v != "kept" {
				t.Fatalf("parent value lost: %v", v)
			}
			if lr.URL != r.URL || lr.Method != r.Method {
				t.Fatal("request copy differs from the request")
			}
			if label.FromContext(lr.Context()) != got.Info {
				t.Fatal("a second label.FromContext gives another Info")
			}
		}
	}
	lr := l.Begin(r, Labels{Set: label.Set{User: "1"}}, "GET", "/x")
	cancel()
	<-lr.Context().Done() // the parent's cancellation reaches the labelled context
	if lr.Context().Err() != context.Canceled {
		t.Errorf("Err %v after cancel", lr.Context().Err())
	}
	l.End(lr)
}

// TestLabelerMergesParentLabels: pprof labels already on the request
// context are kept beside the request's, as pprof.Do would.
func TestLabelerMergesParentLabels(t *testing.T) {
	l := NewLabeler()
	parent := pprof.WithLabels(context.Background(), pprof.Labels("tenant", "a"))
	r := httptest.NewRequest("GET", "/x", nil).WithContext(parent)
	lr := l.Begin(r, Labels{Set: label.Set{Class: "C", User: "7"}}, "GET", "/x")
	defer l.End(lr)
	got := mwtest.CaptureLabels(lr.Context())
	if got.Pprof["tenant"] != "a" || got.Pprof[PprofClass] != "C" || got.Info == nil || got.Info.User != "7" {
		t.Errorf("labels %v, info %+v: want tenant=a and soak.class=C, user 7", got.Pprof, got.Info)
	}
}

// TestLabelerEndRestores: End given the request Begin returned puts the
// goroutine's pprof labels back as they were before Begin, for a request
// whose context had no pprof labels and for one whose had (merged); given
// a request Begin did not return, the labels of that request's context.
// The labels are read from a goroutine profile.
func TestLabelerEndRestores(t *testing.T) {
	defer pprof.SetGoroutineLabels(context.Background())
	l := NewLabeler()
	labels := Labels{Set: label.Set{Class: "C", User: "7"}}
	during := map[string]string{PprofMethod: "GET", PprofRoute: "/x", PprofClass: "C"}

	r := mwtest.BenchRequest(false) // a server's context, no pprof labels
	lr := l.Begin(r, labels, "GET", "/x")
	if got := mwtest.GoroutineLabels(t); !maps.Equal(got, during) {
		t.Errorf("between Begin and End: goroutine labels %v, want %v", got, during)
	}
	l.End(lr)
	if got := mwtest.GoroutineLabels(t); len(got) != 0 {
		t.Errorf("after End: goroutine labels %v, want none", got)
	}

	parent := pprof.WithLabels(r.Context(), pprof.Labels("tenant", "a"))
	pprof.SetGoroutineLabels(parent) // as pprof.Do(parent, ...) would
	lr = l.Begin(r.WithContext(parent), labels, "GET", "/x")
	if got, want := mwtest.GoroutineLabels(t), map[string]string{"tenant": "a", PprofMethod: "GET", PprofRoute: "/x", PprofClass: "C"}; !maps.Equal(got, want) {
		t.Errorf("merged, between Begin and End: goroutine labels %v, want %v", got, want)
	}
	l.End(lr)
	if got, want := mwtest.GoroutineLabels(t), map[string]string{"tenant": "a"}; !maps.Equal(got, want) {
		t.Errorf("merged, after End: goroutine labels %v, want %v", got, want)
	}

	pprof.SetGoroutineLabels(context.Background())
	plain := r.WithContext(pprof.WithLabels(context.Background(), pprof.Labels("tenant", "b")))
	l.Begin(r, labels, "GET", "/x")
	l.End(plain)
	if got, want := mwtest.GoroutineLabels(t), map[string]string{"tenant": "b"}; !maps.Equal(got, want) {
		t.Errorf("End given another request: goroutine labels %v, want %v", got, want)
	}
}

// TestLabelAllocs pins the labelled path's allocations (deterministic;
// times are not asserted): at most one more than an unlabelled request
// (the request copy with its context). For net/http the route comes from
// the route the mux chose for the request name before, not from a
// ServeMux.Handler lookup (which allocates for a wildcard pattern).
func TestLabelAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/stories/{slug}", func(w http.ResponseWriter, r *http.Request) { w.Write(mwtest.BenchBody) })
	h := HTTP(probe.New())(mux)
	plain, labelled := mwtest.BenchRequest(false), mwtest.BenchRequest(true)
	if lookup := testing.AllocsPerRun(200, func() { mux.Handler(labelled) }); lookup < 1 {
		t.Fatalf("ServeMux.Handler made %v allocations: the test no longer shows the lookup is skipped", lookup)
	}
	if got, base := mwtest.Allocs(h, labelled), mwtest.Allocs(h, plain); got > base+1 {
		t.Errorf("net/http: %v allocations per labelled request, %v unlabelled: want at most 1 more", got, base)
	}
}

// TestRouteFromRequestName: a labelled request's route (its label.Info and
// pprof labels) is the route the mux chose for the previous request of
// the same name; a name that turns out to span two patterns costs one
// request a wrong route, then every request of it is routed first.
func TestRouteFromRequestName(t *testing.T) {
	type seen struct{ labelled, routed string }
	var got []seen
	mux := http.NewServeMux()
	record := func(w http.ResponseWriter, r *http.Request) {
		route := ""
		if info := label.FromContext(r.Context()); info != nil {
			route = info.Route
		}
		if pr, _ := pprof.Label(r.Context(), PprofRoute); pr != route {
			t.Errorf("pprof route %q, label.Info route %q", pr, route)
		}
		got = append(got, seen{route, r.Pattern})
	}
	mux.HandleFunc("GET /items/{id}", record)
	mux.HandleFunc("GET /items/new", record)
	h := HTTP(probe.New())(mux)
	send := func(path, name string) {
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set(label.Header, "run=r1;class=C;user=1;request="+name)
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	send("/items/1", "/items/[id]")   // first of its name: the mux is asked
	send("/items/2", "/items/[id]")   // the remembered route
	send("/items/new", "/items/new")  // another name: asked
	send("/items/new", "/items/[id]") // the name spans a second pattern: remembered route, wrong
	send("/items/3", "/items/[id]")   // mixed: asked
	send("/items/new", "/items/[id]") // asked
	wrong := 0
	for i, s := range got {
		if s.labelled != s.routed {
			wrong++
			if i != 3 {
				t.Errorf("request %d: labelled %q, routed %q", i, s.labelled, s.routed)
			}
		}
	}
	if len(got) != 6 || wrong != 1 {
		t.Errorf("%d requests, %d labelled with another route (want 6 and 1, the one that showed the name spans two): %+v", len(got), wrong, got)
	}
}

// BenchmarkLabeler is a labelled request's Parse, Begin and End on a
// cached label set ("header", the middleware's path) and Begin and End
// given the labels alone ("set", a Set looked up by its labels); besides
// ns/op it reports cpu-ns/op, the process's CPU time (GC included).
func BenchmarkLabeler(b *testing.B) {
	set := label.Set{Run: "20261128T051500Z-3f9a", Class: "AuthenticatedUser", User: "17", Request: "/api/stories/[slug]"}
	b.Run("header", func(b *testing.B) {
		l := NewLabeler()
		r := httptest.NewRequest("GET", "/api/stories/dragon-tale", nil)
		r.Header.Set(label.Header, set.Value())
		b.ReportAllocs()
		defer testenv.CPUPerOp(b)()
		for b.Loop() {
			l.End(l.Begin(r, l.Parse(r.Header), "GET", "/api/stories/:slug"))
		}
	})
	b.Run("set", func(b *testing.B) {
		l := NewLabeler()
		r := httptest.NewRequest("GET", "/api/stories/dragon-tale", nil)
		b.ReportAllocs()
		defer testenv.CPUPerOp(b)()
		for b.Loop() {
			l.End(l.Begin(r, Labels{Set: set}, "GET", "/api/stories/:slug"))
		}
	})
}

// TestLabelerUsers: the requests of many virtual users with one route and
// class share one cached header value and label set: after the first
// request, each costs the one allocation of its request copy whatever its
// user (the cache is not replaced per user), and each request's Info
// carries its own user, made once however many goroutines ask for it at
// once.
func TestLabelerUsers(t *testing.T) {
	l := NewLabeler()
	r := httptest.NewRequest("GET", "/api/stories/dragon-tale", nil)
	users := manyUsers(10_000)
	set := label.Set{Run: "20261128T051500Z-3f9a", Class: "AuthenticatedUser", Request: "/api/stories/[slug]"}
	headers := userHeaders(set, users)
	l.End(l.Begin(r, l.Parse(headers[0]), "GET", "GET /api/stories/{slug}"))
	if !raceEnabled { // allocation counts differ under the race detector
		i := 0
		allocs := testing.AllocsPerRun(len(users), func() {
			h := headers[i%len(users)]
			i++
			l.End(l.Begin(r, l.Parse(h), "GET", "GET /api/stories/{slug}"))
		})
		if allocs != 1 {
			t.Errorf("%v allocations per request over %d users, want 1 (the request copy)", allocs, len(users))
		}
	}
	for i, u := range users[:50] {
		lr := l.Begin(r, l.Parse(headers[i]), "GET", "GET /api/stories/{slug}")
		infos := make(chan *label.Info, 4)
		for range cap(infos) {
			go func() { infos <- label.FromContext(lr.Context()) }()
		}
		first := <-infos
		for range cap(infos) - 1 {
			if <-infos != first {
				t.Fatal("concurrent label.FromContext calls made two Infos")
			}
		}
		l.End(lr)
		want := label.Info{Set: set, Method: "GET", Route: "GET /api/stories/{slug}"}
		want.User = u
		if *first != want {
			t.Fatalf("Info %+v, want %+v", *first, want)
		}
	}
}

// userHeaders returns the label header of set for each of users, as the
// engine sends it.
func userHeaders(set label.Set, users []string) []http.Header {
	hs := make([]http.Header, len(users))
	for i, u := range users {
		set.User = u
		hs[i] = http.Header{label.Header: {set.Value()}}
	}
	return hs
}

// manyUsers returns n distinct user numbers, as soak sends them.
func manyUsers(n int) []string {
	users := make([]string, n)
	for i := range users {
		users[i] = fmt.Sprint(i + 1)
	}
	return users
}

// BenchmarkLabelerUsers is BenchmarkLabeler's "header" case with 10,000
// virtual users taking turns, as in a soak of 10,000 users (one route and
// class).
func BenchmarkLabelerUsers(b *testing.B) {
	l := NewLabeler()
	r := httptest.NewRequest("GET", "/api/stories/dragon-tale", nil)
	set := label.Set{Run: "20261128T051500Z-3f9a", Class: "AuthenticatedUser", Request: "/api/stories/[slug]"}
	headers := userHeaders(set, manyUsers(10_000))
	b.ReportAllocs()
	defer testenv.CPUPerOp(b)()
	i := 0
	for b.Loop() {
		h := headers[i%len(headers)]
		i++
		l.End(l.Begin(r, l.Parse(h), "GET", "/api/stories/:slug"))
	}
}

// TestLabelerParse: Labeler.Parse reads what label.Parse reads, for a
// value's first request (parsed) and the next ones (cached), with users
// that differ, values it cannot cache (two user fields, a user key with a
// space before it) and values that share everything but the user; a
// cached value's label set follows the request's method and route; and
// labels changed after Parse are labelled as changed.
func TestLabelerParse(t *testing.T) {
	l := NewLabeler()
	values := []string{
		"run=r1;class=C;user=1;request=/x",
		"run=r1;class=C;user=22;request=/x",
		"run=r1;class=C;user=bad value;request=/x",
		"user=3;run=r1;class=C;request=/x",
		"run=r1;class=C;request=/x;user=4",
		"run=r1;class=C;user=5;user=6;request=/x",
		"run=r1;class=C; user=7;request=/x",
		"run=r1;class=C;user=8;request=/x; user=9",
		"run=r1;class=C;request=/users;user=10",
		"run=r1;class=C",
		"",
	}
	for round := range 3 {
		for _, v := range values {
			h := http.Header{label.Header: {v}}
			got, want := l.Parse(h), label.Parse(h)
			if got.Set != want {
				t.Fatalf("round %d: Parse(%q) = %+v, want %+v", round, v, got.Set, want)
			}
			for _, mr := range [][2]string{{"GET", "/x"}, {"POST", "/x"}, {"GET", "/y"}} {
				r := httptest.NewRequest(mr[0], "/x", nil)
				lr := l.Begin(r, got, mr[0], mr[1])
				info := mwtest.CaptureLabels(lr.Context())
				l.End(lr)
				if wantInfo := (label.Info{Set: want, Method: mr[0], Route: mr[1]}); info.Info == nil || *info.Info != wantInfo {
					t.Fatalf("round %d: %q %v: Info %+v, want %+v", round, v, mr, info.Info, wantInfo)
				}
				if info.Pprof[PprofMethod] != mr[0] || info.Pprof[PprofRoute] != mr[1] || info.Pprof[PprofRun] != want.Run {
					t.Fatalf("round %d: %q %v: pprof labels %v", round, v, mr, info.Pprof)
				}
			}
		}
	}

	cached := l.Parse(http.Header{label.Header: {"run=r1;class=C;user=1;request=/x"}})
	r := httptest.NewRequest("GET", "/x", nil)
	l.End(l.Begin(r, cached, "GET", "/x")) // the value's last label set: GET /x
	changed := cached
	changed.Class, changed.Request = "Other", "/y"
	lr := l.Begin(r, changed, "GET", "/x")
	got := mwtest.CaptureLabels(lr.Context())
	l.End(lr)
	if want := (label.Info{Set: changed.Set, Method: "GET", Route: "/x"}); got.Info == nil || *got.Info != want || got.Pprof[PprofClass] != "Other" || got.Pprof[PprofRequest] != "/y" {
		t.Errorf("labels changed after Parse: Info %+v, pprof %v; want %+v", got.Info, got.Pprof, want)
	}

	h := http.Header{label.Header: {"run=r1;class=C;user=1;request=/x", "class=D"}}
	if got := l.Parse(h); got.Set != (label.Set{}) {
		t.Errorf("a repeated header parsed to %+v, want nothing", got.Set)
	}
	if !raceEnabled {
		h := http.Header{label.Header: {"run=r1;class=C;user=1;request=/x"}}
		if n := testing.AllocsPerRun(100, func() { l.Parse(h) }); n != 0 {
			t.Errorf("Parse of a cached value allocates %v times", n)
		}
	}
}

// FuzzLabelerParse: whatever values one Labeler has seen before (cached,
// or replaced in its slots), it parses a value as label.ParseValue does.
func FuzzLabelerParse(f *testing.F) {
	for _, s := range []string{"run=r;class=C;user=1;request=/x", "user=1;user=2", " user=1", "user=a b;class=C", ";user=2;", "class=A;user= 5 ;class=B"} {
		f.Add(s, "17")
	}
	l := NewLabeler()
	f.Fuzz(func(t *testing.T, v, user string) {
		for _, v := range []string{v, v + ";user=" + user, "user=" + user + ";" + v, v} {
			if got, want := l.Parse(http.Header{label.Header: {v}}).Set, label.ParseValue(v); got != want {
				t.Fatalf("Parse(%q) = %+v, want %+v", v, got, want)
			}
		}
	})
}

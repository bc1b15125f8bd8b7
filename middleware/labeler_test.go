package middleware

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime/pprof"
	"testing"

	"github.com/soaklab/soak/middleware/internal/mwtest"
	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/label"
)

type otherKey struct{}

// TestLabelerSets: every one of many more distinct label sets than the
// Labeler has slots (so slots collide and are replaced) reaches the
// request context exactly, with the pprof labels of that set only, while
// the parent context's own values and cancellation still show through.
func TestLabelerSets(t *testing.T) {
	l := NewLabeler()
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), otherKey{}, "kept"))
	r := httptest.NewRequest("GET", "/x", nil).WithContext(parent)
	for round := range 2 { // the second round finds entries cached or replaced
		for i := range 3 * labelerSlots {
			set := label.Set{Run: "run-1", Class: fmt.Sprintf("C%d", i%7), User: fmt.Sprint(i), Request: "/x"}
			if i%5 == 0 {
				set.Run = "" // absent values stay absent
			}
			lr := l.Begin(r, set, "GET", "/x")
			got := mwtest.CaptureLabels(lr.Context())
			l.End(r)
			want := label.Info{Set: set, Method: "GET", Route: "/x"}
			if got.Info == nil || *got.Info != want {
				t.Fatalf("round %d set %d: Info %+v, want %+v", round, i, got.Info, want)
			}
			wantPprof := map[string]string{PprofMethod: "GET", PprofRoute: "/x", PprofClass: set.Class, PprofUser: set.User, PprofRequest: "/x"}
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
		}
	}
	lr := l.Begin(r, label.Set{User: "1"}, "GET", "/x")
	cancel()
	<-lr.Context().Done() // the parent's cancellation reaches the labelled context
	if lr.Context().Err() != context.Canceled {
		t.Errorf("Err %v after cancel", lr.Context().Err())
	}
	l.End(r)
}

// TestLabelerMergesParentLabels: pprof labels already on the request
// context are kept beside the request's, as pprof.Do would.
func TestLabelerMergesParentLabels(t *testing.T) {
	l := NewLabeler()
	parent := pprof.WithLabels(context.Background(), pprof.Labels("tenant", "a"))
	r := httptest.NewRequest("GET", "/x", nil).WithContext(parent)
	lr := l.Begin(r, label.Set{User: "7"}, "GET", "/x")
	defer l.End(r)
	got := mwtest.CaptureLabels(lr.Context())
	if got.Pprof["tenant"] != "a" || got.Pprof[PprofUser] != "7" || got.Info == nil || got.Info.User != "7" {
		t.Errorf("labels %v, info %+v: want tenant=a and soak.user=7", got.Pprof, got.Info)
	}
}

// TestLabelAllocs pins the labelled path's allocations (deterministic;
// times are not asserted): at most one more than an unlabelled request
// (the request copy with its context), plus, for net/http, the
// allocations of the ServeMux.Handler lookup that finds the route before
// the mux runs.
func TestLabelAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/stories/{slug}", func(w http.ResponseWriter, r *http.Request) { w.Write(mwtest.BenchBody) })
	h := HTTP(probe.New())(mux)
	plain, labelled := mwtest.BenchRequest(false), mwtest.BenchRequest(true)
	lookup := testing.AllocsPerRun(200, func() { mux.Handler(labelled) })
	if got, base := mwtest.Allocs(h, labelled), mwtest.Allocs(h, plain); got > base+1+lookup {
		t.Errorf("net/http: %v allocations per labelled request, %v unlabelled (+%v for ServeMux.Handler): want at most 1 more", got, base, lookup)
	}
}

// BenchmarkLabeler is Begin and End alone on a cached label set.
func BenchmarkLabeler(b *testing.B) {
	l := NewLabeler()
	r := httptest.NewRequest("GET", "/api/stories/dragon-tale", nil)
	set := label.Set{Run: "20261128T051500Z-3f9a", Class: "AuthenticatedUser", User: "17", Request: "/api/stories/[slug]"}
	b.ReportAllocs()
	for b.Loop() {
		l.Begin(r, set, "GET", "/api/stories/:slug")
		l.End(r)
	}
}

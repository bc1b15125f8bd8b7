package mwtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/internal/testenv"
	"github.com/soaklab/soak/probe"
)

// BenchBody is the response body of the benchmarks' handler.
var BenchBody = []byte(`{"slug":"dragon-tale","title":"A dragon's tale"}`)

// BenchRequest is the benchmarks' request, with soak label headers when
// labels is true.
func BenchRequest(labels bool) *http.Request {
	r := httptest.NewRequest("GET", "/api/stories/dragon-tale", nil)
	if labels {
		r.Header = SoakHeaders("20261128T051500Z-3f9a", "AuthenticatedUser", "17", "/api/stories/[slug]")
	}
	return r
}

// BenchLimit is a policy one benchmark identity never exhausts (a request
// every 250 ns, with a burst of 4000), whose header numbers stay within the
// preformatted table, as those of a policy such as 100/min do.
var BenchLimit = probe.RateLimitPolicy{Limit: 4000, Period: time.Millisecond}

// RunBench serves r through h b.N times, reporting allocations and the CPU
// time per request: once first, outside the measure, to create the route
// and the histogram row.
func RunBench(b *testing.B, h http.Handler, r *http.Request) {
	w := &NopWriter{H: http.Header{}}
	h.ServeHTTP(w, r)
	b.ReportAllocs()
	defer testenv.CPUPerOp(b)()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
}

// Allocs returns the allocations per request of serving r through h, once
// the route exists.
func Allocs(h http.Handler, r *http.Request) float64 {
	w := &NopWriter{H: http.Header{}}
	h.ServeHTTP(w, r)
	return testing.AllocsPerRun(200, func() { h.ServeHTTP(w, r) })
}

// Mode returns the label mode (middleware.LabelMode) whose String is
// name, failing t when none is.
func Mode[M interface {
	~uint8
	String() string
}](t testing.TB, name string) M {
	t.Helper()
	for m := M(0); m < 16; m++ {
		if m.String() == name {
			return m
		}
	}
	t.Fatalf("no label mode %q", name)
	return 0
}

// Panics checks that f panics with a value whose text contains want.
func Panics(t *testing.T, f func(), want string) {
	t.Helper()
	defer func() {
		t.Helper()
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), want) {
			t.Fatalf("panic %v, want one naming %q", r, want)
		}
	}()
	f()
}

package middleware

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/soaklab/soak/internal/testenv"
	"github.com/soaklab/soak/middleware/internal/mwtest"
	"github.com/soaklab/soak/probe"
)

// The benchmarks serve requests in process (no network) through a bare
// handler and through the same handler with the middleware, side by side,
// so that the difference is the middleware's cost. Run them with
//
//	go test -run '^$' -bench . -benchtime 200000x -count 5 ./middleware
//
// "bare" is the baseline; "probe" is HTTP() on a request without soak
// headers (the 0-allocation steady state: the route exists in the probe
// and the histogram rows are allocated); "labels" adds soak headers, so
// the context and pprof labels are set; "ratelimit" adds the limiter (one
// identity, never denied). Besides ns/op (wall time) they report
// cpu-ns/op, the process's CPU time per request (GC included), which other
// load on a shared machine disturbs much less. The echo middleware's are
// in middleware/echoprobe.

var benchBody = []byte(`{"slug":"dragon-tale","title":"A dragon's tale"}`)

func benchRequest(labels bool) *http.Request {
	r := httptest.NewRequest("GET", "/api/stories/dragon-tale", nil)
	if labels {
		r.Header = mwtest.SoakHeaders("20261128T051500Z-3f9a", "AuthenticatedUser", "17", "/api/stories/[slug]")
	}
	return r
}

func runBench(b *testing.B, h http.Handler, r *http.Request) {
	w := &mwtest.NopWriter{H: http.Header{}}
	h.ServeHTTP(w, r) // create the route and the histogram row
	b.ReportAllocs()
	defer testenv.CPUPerOp(b)()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
}

// benchLimit is a policy one benchmark identity never exhausts (a request
// every 250 ns, with a burst of 4000), whose header numbers stay within the
// preformatted table, as those of a policy such as 100/min do.
var benchLimit = Policy{Limit: 4000, Period: time.Millisecond}

func BenchmarkHTTP(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/stories/{slug}", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = jsonContentType
		w.Write(benchBody)
	})
	p := probe.New()
	rl, err := NewRateLimiter(RateLimitConfig{Probe: p, Policy: benchLimit})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("bare", func(b *testing.B) { runBench(b, mux, benchRequest(false)) })
	b.Run("probe", func(b *testing.B) { runBench(b, HTTP(p)(mux), benchRequest(false)) })
	b.Run("labels", func(b *testing.B) { runBench(b, HTTP(p)(mux), benchRequest(true)) })
	b.Run("ratelimit", func(b *testing.B) { runBench(b, HTTP(p)(rl.Handler(mux)), benchRequest(false)) })
}

// BenchmarkLimiterAllow is the limiter alone, one identity, not denied.
func BenchmarkLimiterAllow(b *testing.B) {
	l, err := NewLimiter(LimiterConfig{Policy: benchLimit})
	if err != nil {
		b.Fatal(err)
	}
	id := Identity{KindUser, "user0042"}
	b.ReportAllocs()
	for b.Loop() {
		l.Allow(id)
	}
}

// TestMiddlewareAllocs pins the 0-allocation claim of the benchmarks in a
// test (allocation counts are deterministic; times are not asserted): the
// middleware and the limiter allocate nothing at all beyond a bare
// ServeMux.
func TestMiddlewareAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	p := probe.New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/stories/{slug}", func(w http.ResponseWriter, r *http.Request) { w.Write(benchBody) })
	rl, _ := NewRateLimiter(RateLimitConfig{Probe: p, Policy: benchLimit})
	wrapped := HTTP(p)(rl.Handler(mux))

	r, w := benchRequest(false), &mwtest.NopWriter{H: http.Header{}}
	allocs := func(h http.Handler) float64 {
		h.ServeHTTP(w, r)
		return testing.AllocsPerRun(200, func() { h.ServeHTTP(w, r) })
	}
	if got, base := allocs(wrapped), allocs(mux); got != base {
		t.Errorf("net/http: %v allocations per request with the middleware and limiter, %v without", got, base)
	}
}

package middleware

import (
	"context"
	"net/http"
	"testing"

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
// identity, never denied); "copy" is "probe" given the request with a
// context value (r.WithContext(context.WithValue(...))): what the usual
// way of handing a value to handlers by context costs (two allocations,
// the context and the request's copy; the labels make both in one), to
// set the labels' cost beside. Besides ns/op (wall time) they report
// cpu-ns/op, the process's CPU time per request (GC included), which other
// load on a shared machine disturbs much less. The echo middleware's are
// in middleware/echoprobe.

func BenchmarkHTTP(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/stories/{slug}", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = jsonContentType
		w.Write(mwtest.BenchBody)
	})
	p := probe.New()
	rl, err := NewRateLimiter(RateLimitConfig{Probe: p, Policy: mwtest.BenchLimit})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("bare", func(b *testing.B) { mwtest.RunBench(b, mux, mwtest.BenchRequest(false)) })
	b.Run("probe", func(b *testing.B) { mwtest.RunBench(b, HTTP(p)(mux), mwtest.BenchRequest(false)) })
	b.Run("labels", func(b *testing.B) { mwtest.RunBench(b, HTTP(p)(mux), mwtest.BenchRequest(true)) })
	b.Run("ratelimit", func(b *testing.B) { mwtest.RunBench(b, HTTP(p)(rl.Handler(mux)), mwtest.BenchRequest(false)) })
	probed := HTTP(p)(mux)
	copyCtx := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		probed.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), benchKey{}, "v")))
	})
	b.Run("copy", func(b *testing.B) { mwtest.RunBench(b, copyCtx, mwtest.BenchRequest(false)) })
}

// benchKey is the context key of BenchmarkHTTP's "copy".
type benchKey struct{}

// BenchmarkLimiterAllow is the limiter alone, one identity, not denied.
func BenchmarkLimiterAllow(b *testing.B) {
	l, err := NewLimiter(LimiterConfig{Policy: mwtest.BenchLimit})
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
	mux.HandleFunc("GET /api/stories/{slug}", func(w http.ResponseWriter, r *http.Request) { w.Write(mwtest.BenchBody) })
	rl, _ := NewRateLimiter(RateLimitConfig{Probe: p, Policy: mwtest.BenchLimit})
	wrapped := HTTP(p)(rl.Handler(mux))

	r := mwtest.BenchRequest(false)
	if got, base := mwtest.Allocs(wrapped, r), mwtest.Allocs(mux, r); got != base {
		t.Errorf("net/http: %v allocations per request with the middleware and limiter, %v without", got, base)
	}
}

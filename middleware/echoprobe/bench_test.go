package echoprobe

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/soaklab/soak/internal/testenv"
	"github.com/soaklab/soak/middleware"
	"github.com/soaklab/soak/middleware/internal/mwtest"
	"github.com/soaklab/soak/probe"
)

// The benchmarks serve requests in process (no network) through a bare
// echo and through the same echo with the middleware, side by side, so
// that the difference is the middleware's cost. Run them with
//
//	go test -run '^$' -bench . -benchtime 200000x -count 5 ./middleware/echoprobe
//
// "bare" is the baseline; "noop" adds a middleware that does nothing, which
// costs echo one closure (48 B) per request: echo v4 applies e.Use
// middleware on every request (Echo.ServeHTTP calls applyMiddleware), so
// every echo middleware, echo's own included, pays it. "probe" is
// Middleware() on a request without soak headers (the 0-allocation steady
// state: the route exists in the probe and the histogram rows are
// allocated); "labels" adds soak headers, so the context and pprof labels
// are set; "ratelimit" adds the limiter (one identity, never denied).
// Besides ns/op (wall time) they report cpu-ns/op, the process's CPU time
// per request (GC included), which other load on a shared machine disturbs
// much less.

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
var benchLimit = middleware.Policy{Limit: 4000, Period: time.Millisecond}

func BenchmarkMiddleware(b *testing.B) {
	build := func(mw ...echo.MiddlewareFunc) *echo.Echo {
		e := newEcho()
		e.Use(mw...)
		e.GET("/api/stories/:slug", func(c echo.Context) error {
			return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, benchBody)
		})
		return e
	}
	p := probe.New()
	b.Run("bare", func(b *testing.B) { runBench(b, build(), benchRequest(false)) })
	b.Run("noop", func(b *testing.B) { runBench(b, build(noopEcho), benchRequest(false)) })
	b.Run("probe", func(b *testing.B) { runBench(b, build(Middleware(p)), benchRequest(false)) })
	b.Run("labels", func(b *testing.B) { runBench(b, build(Middleware(p)), benchRequest(true)) })
	b.Run("ratelimit", func(b *testing.B) {
		runBench(b, build(Middleware(p), RateLimit(p, benchLimit)), benchRequest(false))
	})
}

// noopEcho is a middleware that does nothing.
func noopEcho(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error { return next(c) }
}

// TestMiddlewareAllocs pins the 0-allocation claim of the benchmarks in a
// test (allocation counts are deterministic; times are not asserted): the
// middleware and the limiter allocate nothing beyond what echo allocates
// for any two middlewares (one closure each).
func TestMiddlewareAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	p := probe.New()
	e := newEcho()
	e.Use(Middleware(p), RateLimit(p, benchLimit))
	e.GET("/api/stories/:slug", func(c echo.Context) error { return c.Blob(200, echo.MIMEApplicationJSON, benchBody) })
	bare := newEcho()
	bare.Use(noopEcho, noopEcho)
	bare.GET("/api/stories/:slug", func(c echo.Context) error { return c.Blob(200, echo.MIMEApplicationJSON, benchBody) })

	r, w := benchRequest(false), &mwtest.NopWriter{H: http.Header{}}
	allocs := func(h http.Handler) float64 {
		h.ServeHTTP(w, r)
		return testing.AllocsPerRun(200, func() { h.ServeHTTP(w, r) })
	}
	if got, base := allocs(e), allocs(bare); got != base {
		t.Errorf("%v allocations per request with the middleware and limiter, %v with two no-op middlewares", got, base)
	}
}

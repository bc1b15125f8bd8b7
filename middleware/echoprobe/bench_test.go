package echoprobe

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"

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

func BenchmarkMiddleware(b *testing.B) {
	build := func(mw ...echo.MiddlewareFunc) *echo.Echo {
		e := newEcho()
		e.Use(mw...)
		e.GET("/api/stories/:slug", func(c echo.Context) error {
			return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, mwtest.BenchBody)
		})
		return e
	}
	p := probe.New()
	b.Run("bare", func(b *testing.B) { mwtest.RunBench(b, build(), mwtest.BenchRequest(false)) })
	b.Run("noop", func(b *testing.B) { mwtest.RunBench(b, build(noopEcho), mwtest.BenchRequest(false)) })
	b.Run("probe", func(b *testing.B) { mwtest.RunBench(b, build(Middleware(p)), mwtest.BenchRequest(false)) })
	b.Run("labels", func(b *testing.B) { mwtest.RunBench(b, build(Middleware(p)), mwtest.BenchRequest(true)) })
	b.Run("ratelimit", func(b *testing.B) {
		mwtest.RunBench(b, build(Middleware(p), RateLimit(p, mwtest.BenchLimit)), mwtest.BenchRequest(false))
	})
}

// BenchmarkMiddlewareWire is BenchmarkMiddleware with a new response
// header map per request serialised as net/http's server does
// (mwtest.WireWriter), so that the rate limiter's rows include the cost of
// the RateLimit-* header fields on the wire side of the server:
// "ratelimit" with the default HeadersNearLimit (no fields: the identity
// never uses half its allowance), "ratelimit-always" with HeadersAlways (three
// fields on every response).
func BenchmarkMiddlewareWire(b *testing.B) {
	build := func(mw ...echo.MiddlewareFunc) *echo.Echo {
		e := newEcho()
		e.Use(mw...)
		e.GET("/api/stories/:slug", func(c echo.Context) error {
			return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, mwtest.BenchBody)
		})
		return e
	}
	p := probe.New()
	b.Run("probe", func(b *testing.B) { mwtest.RunWireBench(b, build(Middleware(p)), mwtest.BenchRequest(false)) })
	b.Run("labels", func(b *testing.B) { mwtest.RunWireBench(b, build(Middleware(p)), mwtest.BenchRequest(true)) })
	b.Run("ratelimit", func(b *testing.B) {
		mwtest.RunWireBench(b, build(Middleware(p), RateLimit(p, mwtest.BenchLimit)), mwtest.BenchRequest(false))
	})
	b.Run("ratelimit-always", func(b *testing.B) {
		always := RateLimitWithConfig(RateLimitConfig{Policy: mwtest.BenchLimit, Headers: middleware.HeadersAlways, Name: "always"})
		mwtest.RunWireBench(b, build(Middleware(p), always), mwtest.BenchRequest(false))
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
	e.Use(Middleware(p), RateLimit(p, mwtest.BenchLimit))
	e.GET("/api/stories/:slug", func(c echo.Context) error { return c.Blob(200, echo.MIMEApplicationJSON, mwtest.BenchBody) })
	bare := newEcho()
	bare.Use(noopEcho, noopEcho)
	bare.GET("/api/stories/:slug", func(c echo.Context) error { return c.Blob(200, echo.MIMEApplicationJSON, mwtest.BenchBody) })

	r := mwtest.BenchRequest(false)
	if got, base := mwtest.Allocs(e, r), mwtest.Allocs(bare, r); got != base {
		t.Errorf("%v allocations per request with the middleware and limiter, %v with two no-op middlewares", got, base)
	}
}

// TestLabelAllocs pins the labelled path's allocations (deterministic;
// times are not asserted): at most one more than an unlabelled request,
// the request copy with its context.
func TestLabelAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
	e := newEcho()
	e.Use(Middleware(probe.New()))
	e.GET("/api/stories/:slug", func(c echo.Context) error { return c.Blob(200, echo.MIMEApplicationJSON, mwtest.BenchBody) })
	if got, base := mwtest.Allocs(e, mwtest.BenchRequest(true)), mwtest.Allocs(e, mwtest.BenchRequest(false)); got > base+1 {
		t.Errorf("%v allocations per labelled request, %v unlabelled: want at most 1 more", got, base)
	}
}

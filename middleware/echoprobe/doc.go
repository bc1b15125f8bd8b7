// Package echoprobe records an echo v4 service's HTTP traffic into a soak
// probe and rate-limits per user: the echo side of package middleware,
// kept apart so that a net/http service importing middleware does not
// import echo (named so as not to clash with echo, nor with the echomw
// that echo's own middleware is usually imported as).
//
// [Middleware] records, per method and route template (c.Path(), never the
// raw URL), requests in flight, the status the client got (an error
// returned to echo resolved as echo's error handler will write it, panics
// as 500), HDR latency, request and response body bytes, and labels
// requests soak sent (context and pprof labels, middleware.LabelMode).
// [RateLimitWithConfig] limits each identity ([User], [ClientIP], or a
// net/http identifier through [FromHTTP]) to a middleware.Policy with the
// limiter of package middleware, counts each denial in the probe and
// declares its policy to it.
//
//	p := probe.New()
//	e := echo.New()
//	e.Use(echoprobe.Middleware(p))
//	e.Use(echomw.Recover())
//	e.Use(auth) // c.Set("user_id", id)
//	e.Use(echoprobe.RateLimitWithConfig(echoprobe.RateLimitConfig{
//		Probe:    p,
//		Policy:   middleware.PerMinute(100),
//		Identity: []echoprobe.Identifier{echoprobe.User("user_id")},
//	}))
//
// Without labels, recording allocates nothing beyond the closure echo v4
// allocates for every middleware on every request. Middleware and
// limiters are safe for concurrent use; configuration is read once, when
// the middleware is built.
package echoprobe

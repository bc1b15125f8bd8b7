// Package middleware records a service's HTTP traffic into a soak probe, as
// the service itself sees it, and rate-limits per user.
//
// For echo v4 ([Echo], [EchoWithConfig]) and net/http ([HTTP],
// [HTTPWithConfig]) it records, per method and route template (echo's
// c.Path(), the ServeMux's r.Pattern; never the raw URL): requests in
// flight, status (what the client got, including errors returned to echo and
// panics, as 500), HDR latency, request and response body bytes. Requests
// that match no route share [UnmatchedRoute].
//
// Requests sent by soak carry headers naming the run, user class, virtual
// user and request ([label.Parse]); the middleware puts them, with method and
// route, in the request context (for the probe's connection-leak registry,
// [label.FromContext]) and in pprof labels ([PprofRoute], [PprofClass], ...),
// so CPU and goroutine profiles split by route and user class (fgprof's do
// not: it reads stacks without labels). See
// [LabelMode] for which requests are labelled and what it costs.
//
// [RateLimiter] limits each identity (an authenticated user id, a header, the
// client IP as fallback) to a [Policy] with a GCRA, answers 429 with
// Retry-After, RateLimit-* fields and a JSON body, counts each denial in the
// probe by route and identity kind, and reports its policy for the report's
// Configuration section. Its table of identities is capped and idle
// identities expire.
//
//	p := probe.New()
//	e := echo.New()
//	e.Use(middleware.Echo(p))
//	e.Use(echomw.Recover())
//	e.Use(auth) // c.Set("user_id", id)
//	e.Use(middleware.RateLimitWithConfig(middleware.RateLimitConfig{
//		Probe:    p,
//		Policy:   middleware.PerMinute(100),
//		Identity: []middleware.Identifier{middleware.UserFromEcho("user_id")},
//	}))
//
// # Cost
//
// Recording a request without labels allocates nothing (beyond the closure
// echo v4 allocates for every middleware on every request) and costs a few
// hundred nanoseconds; labels cost about 7 allocations. The figures, with
// the commands that measure them, are in docs/performance.md.
//
// # Concurrency
//
// Middleware and limiters are safe for concurrent use; configuration is read
// once, when the middleware is built.
package middleware

// Package middleware records a net/http service's HTTP traffic into a soak
// probe, as the service itself sees it, and rate-limits per user. It
// imports no web framework: echo v4's middleware, built on this package,
// is [github.com/soaklab/soak/middleware/echoprobe].
//
// [HTTP] and [HTTPWithConfig] record, per method and route pattern (the
// ServeMux's r.Pattern; never the raw URL): requests in flight, status
// (what the client got, panics as 500), HDR latency, request and response
// body bytes. Requests that match no route share [UnmatchedRoute].
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
// probe by route and identity kind, and declares its policy to the probe
// (typed, as probe.RateLimitPolicy). Its table of identities is capped and
// idle identities expire.
//
//	p := probe.New()
//	mux := http.NewServeMux()
//	limiter, err := middleware.NewRateLimiter(middleware.RateLimitConfig{
//		Probe:  p,
//		Policy: middleware.PerMinute(100), // per client IP
//	})
//	handler := middleware.HTTP(p)(limiter.Handler(mux))
//
// The middleware of another framework is built from the same pieces:
// [MethodLabel], [LabelMode.Wants] and a [Labeler] (or the simpler, slower
// [RunLabeled]) for recording and labels, a [Limiter] with [Limiter.SetHeaders], [Limiter.DeniedBody],
// [Declare] and [CountDenial] for rate limiting.
//
// # Cost
//
// Recording a request without labels allocates nothing and costs a few
// hundred nanoseconds; labels add one allocation (the request copy with its
// context; on net/http also the ServeMux lookup of the route). The figures, with
// the commands that measure them, are in docs/performance.md.
//
// # Concurrency
//
// Middleware and limiters are safe for concurrent use; configuration is read
// once, when the middleware is built.
package middleware

package echoprobe

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/soaklab/soak/middleware"
	"github.com/soaklab/soak/probe"
)

// RateLimitConfig configures a per-identity rate limiter for echo
// ([RateLimitWithConfig], [NewRateLimiter]). It is the net/http
// middleware.RateLimitConfig with echo's Skipper and identifiers; the
// limiter is middleware.Limiter, the same GCRA, response fields and 429
// body.
type RateLimitConfig struct {
	// Skipper lets requests through unlimited when it returns true.
	// Optional; default echomw.DefaultSkipper.
	Skipper echomw.Skipper

	// Probe counts each denial under the request's route and identity kind
	// (RouteStats.RateLimited) and receives the policy: typed, in its
	// snapshots' RateLimits under Name (probe.Probe.DeclareRateLimit),
	// and as text under probe.ConfigRateLimit, for the report's
	// Configuration section. Optional: without it the limiter only limits.
	Probe *probe.Probe

	// Name names the limiter in the probe's RateLimits. Optional; default
	// middleware.DefaultRateLimitName. Give each limiter of a service its
	// own.
	Name string

	// Policy is the limit for each identity. Required (see
	// DefaultRateLimitConfig).
	Policy middleware.Policy

	// Identity lists how to identify a request's sender, tried in order;
	// the client IP is the fallback of every list. Optional; default (nil)
	// limits by client IP. For "per authenticated user, else per IP":
	// []Identifier{User("user_id")}.
	Identity []Identifier

	// MaxIdentities caps the identity table (see middleware.LimiterConfig).
	// Optional; default middleware.DefaultMaxIdentities.
	MaxIdentities int

	// Now is the clock. Optional; default: the monotonic clock. Tests
	// inject one.
	Now func() time.Time

	// Headers says which allowed responses carry the RateLimit-* fields
	// (every 429 does). Optional; default middleware.HeadersNearLimit:
	// those of an identity with half its allowance or less left.
	Headers middleware.HeaderMode
}

// DefaultRateLimitConfig limits each client IP to 100 requests per minute,
// with a burst of 100.
var DefaultRateLimitConfig = RateLimitConfig{
	Skipper: echomw.DefaultSkipper,
	Policy:  middleware.PerMinute(100),
}

// RateLimiter is a per-identity rate limiter for echo
// ([RateLimiter.Middleware]). A denied request gets 429 with Retry-After,
// the RateLimit-* fields (see middleware.HeaderRateLimitLimit) and a JSON
// body:
//
//	{"error":"Rate limit exceeded","policy":"100 req/min, burst 100","identity":"user","retry_after_seconds":1}
//
// Allowed responses carry the RateLimit-* fields too once the identity has
// half its allowance or less left (RateLimitConfig.Headers). Safe for
// concurrent use.
type RateLimiter struct {
	cfg      RateLimitConfig
	lim      *middleware.Limiter
	stats    *probe.HTTPStats // nil without a probe
	declared middleware.Policy
}

// NewRateLimiter returns a RateLimiter, or an error wrapping
// middleware.ErrInvalidConfig that names the invalid field. It declares
// the policy to cfg.Probe.
func NewRateLimiter(cfg RateLimitConfig) (*RateLimiter, error) {
	if cfg.Skipper == nil {
		cfg.Skipper = echomw.DefaultSkipper
	}
	var kinds []string
	for i, id := range cfg.Identity {
		if id.Kind == "" || id.Echo == nil {
			return nil, fmt.Errorf("%w: Identity[%d] needs a Kind and an Echo extractor", middleware.ErrInvalidConfig, i)
		}
		kinds = append(kinds, id.Kind)
	}
	lim, err := middleware.NewLimiter(middleware.LimiterConfig{Policy: cfg.Policy, MaxIdentities: cfg.MaxIdentities, Now: cfg.Now, Headers: cfg.Headers})
	if err != nil {
		return nil, err
	}
	rl := &RateLimiter{cfg: cfg, lim: lim}
	if rl.declared, rl.stats, err = middleware.Declare(cfg.Probe, cfg.Name, lim, kinds); err != nil {
		return nil, err
	}
	return rl, nil
}

// Policy returns the policy as the limiter declares it to the probe:
// RateLimitConfig.Policy with the algorithm (GCRA) and whom it limits (the
// identifiers' kinds, the client IP last).
func (rl *RateLimiter) Policy() middleware.Policy { return rl.declared }

// Describe states the policy for a report: "100 req/min per user (else
// per ip), burst 100" (the String of [RateLimiter.Policy]).
func (rl *RateLimiter) Describe() string { return rl.declared.String() }

// Stats returns the identity table's figures.
func (rl *RateLimiter) Stats() middleware.LimiterStats { return rl.lim.Stats() }

// RateLimit returns echo middleware limiting each client IP to policy,
// counting denials in p (which may be nil). See [RateLimitWithConfig].
func RateLimit(p *probe.Probe, policy middleware.Policy) echo.MiddlewareFunc {
	cfg := DefaultRateLimitConfig
	cfg.Probe = p
	cfg.Policy = policy
	return RateLimitWithConfig(cfg)
}

// RateLimitWithConfig returns echo middleware enforcing cfg; it panics,
// naming the field, when cfg is invalid (a programmer error, as echo's own
// middleware does). Use [NewRateLimiter] to get the error instead.
//
// Register it after the middleware that authenticates (it reads the user id
// that one stores) and after [Middleware], which then records the 429s.
func RateLimitWithConfig(cfg RateLimitConfig) echo.MiddlewareFunc {
	rl, err := NewRateLimiter(cfg)
	if err != nil {
		panic(err)
	}
	return rl.Middleware()
}

// Middleware returns the limiter as echo middleware.
func (rl *RateLimiter) Middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if rl.cfg.Skipper(c) {
				return next(c)
			}
			id := identify(rl.cfg.Identity, c)
			d := rl.lim.Allow(id)
			rl.lim.SetHeaders(c.Response().Header(), d)
			if d.Allowed {
				return next(c)
			}
			middleware.CountDenial(rl.stats, c.Request().Method, routeOf(c), id.Kind)
			return c.JSONBlob(http.StatusTooManyRequests, rl.lim.DeniedBody(id.Kind, d))
		}
	}
}

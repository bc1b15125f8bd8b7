package middleware

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/soaklab/soak/probe"
)

// RateLimitConfig configures a per-identity rate limiter ([RateLimitWithConfig]
// for echo, [NewRateLimiter] for both echo and net/http).
type RateLimitConfig struct {
	// Skipper lets echo requests through unlimited when it returns true.
	// Optional; default echomw.DefaultSkipper.
	Skipper echomw.Skipper
	// HTTPSkipper is Skipper for net/http. Optional; default nil.
	HTTPSkipper func(r *http.Request) bool

	// Probe counts each denial under the request's route and identity kind
	// (RouteStats.RateLimited) and receives the policy: typed, in its
	// snapshots' RateLimits under Name (probe.Probe.DeclareRateLimit),
	// and as text under probe.ConfigRateLimit, for the report's
	// Configuration section. Optional: without it the limiter only limits.
	Probe *probe.Probe

	// Name names the limiter in the probe's RateLimits. Optional; default
	// [DefaultRateLimitName]. Give each limiter of a service its own.
	Name string

	// Policy is the limit for each identity. Required (see DefaultRateLimitConfig).
	Policy Policy

	// Identity lists how to identify a request's sender, tried in order;
	// the client IP is the fallback of every list. Optional; default (nil)
	// limits by client IP. For "per authenticated user, else per IP":
	// []Identifier{UserFromEcho("user_id")}.
	Identity []Identifier

	// MaxIdentities caps the identity table (see LimiterConfig).
	// Optional; default DefaultMaxIdentities.
	MaxIdentities int

	// Now is the clock. Optional; default: the monotonic clock. Tests
	// inject one.
	Now func() time.Time
}

// DefaultRateLimitName is the name a limiter declares its policy under
// when RateLimitConfig.Name is empty.
const DefaultRateLimitName = "default"

// DefaultRateLimitConfig limits each client IP to 100 requests per minute,
// with a burst of 100.
var DefaultRateLimitConfig = RateLimitConfig{
	Skipper: echomw.DefaultSkipper,
	Policy:  PerMinute(100),
}

// RateLimiter is a per-identity rate limiter for echo ([RateLimiter.Echo])
// and net/http ([RateLimiter.Handler]), which may share one table. A
// denied request gets 429 with Retry-After, the RateLimit-* fields (see
// [HeaderRateLimitLimit]) and a JSON body:
//
//	{"error":"Rate limit exceeded","policy":"100 req/min, burst 100","identity":"user","retry_after_seconds":1}
//
// Allowed responses carry the RateLimit-* fields too. Safe for concurrent
// use.
type RateLimiter struct {
	cfg      RateLimitConfig
	lim      *Limiter
	hv       *headerValues
	stats    *probe.HTTPStats // nil without a probe
	declared Policy           // with the identity keys and the algorithm
}

// NewRateLimiter returns a RateLimiter, or an error wrapping
// [ErrInvalidConfig] that names the invalid field. It declares the policy
// to cfg.Probe.
func NewRateLimiter(cfg RateLimitConfig) (*RateLimiter, error) {
	if cfg.Skipper == nil {
		cfg.Skipper = echomw.DefaultSkipper
	}
	if cfg.Name == "" {
		cfg.Name = DefaultRateLimitName
	}
	var kinds []string
	for i, id := range cfg.Identity {
		if id.Kind == "" || (id.Echo == nil && id.HTTP == nil) {
			return nil, fmt.Errorf("%w: Identity[%d] needs a Kind and an Echo or HTTP extractor", ErrInvalidConfig, i)
		}
		kinds = append(kinds, id.Kind)
	}
	lim, err := NewLimiter(LimiterConfig{Policy: cfg.Policy, MaxIdentities: cfg.MaxIdentities, Now: cfg.Now})
	if err != nil {
		return nil, err
	}
	declared := cfg.Policy.WithKeys(append(kinds, KindIP)...) // the client IP is every list's fallback
	declared.Algorithm = probe.GCRA
	if err := declared.Validate(); err != nil {
		return nil, fmt.Errorf("%w: Identity: %w", ErrInvalidConfig, err)
	}
	rl := &RateLimiter{cfg: cfg, lim: lim, hv: newHeaderValues(cfg.Policy), declared: declared}
	if cfg.Probe != nil {
		if err := cfg.Probe.DeclareRateLimit(cfg.Name, declared); err != nil {
			return nil, fmt.Errorf("%w: Name: %w", ErrInvalidConfig, err)
		}
		rl.stats = cfg.Probe.HTTP()
	}
	return rl, nil
}

// Policy returns the policy as the limiter declares it to the probe:
// RateLimitConfig.Policy with the algorithm (GCRA) and whom it limits (the
// identifiers' kinds, the client IP last).
func (rl *RateLimiter) Policy() Policy { return rl.declared }

// Describe states the policy for a report: "100 req/min per user (else
// per ip), burst 100" (the String of [RateLimiter.Policy]).
func (rl *RateLimiter) Describe() string { return rl.declared.String() }

// Stats returns the identity table's figures.
func (rl *RateLimiter) Stats() LimiterStats { return rl.lim.Stats() }

// RateLimit returns echo middleware limiting each client IP to policy,
// counting denials in p (which may be nil). See [RateLimitWithConfig].
func RateLimit(p *probe.Probe, policy Policy) echo.MiddlewareFunc {
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
// that one stores) and after [Echo], which then records the 429s.
func RateLimitWithConfig(cfg RateLimitConfig) echo.MiddlewareFunc {
	rl, err := NewRateLimiter(cfg)
	if err != nil {
		panic(err)
	}
	return rl.Echo()
}

// Echo returns the limiter as echo middleware.
func (rl *RateLimiter) Echo() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if rl.cfg.Skipper(c) {
				return next(c)
			}
			id := identify(rl.cfg.Identity, c, nil)
			d := rl.lim.Allow(id)
			rl.hv.set(c.Response().Header(), d)
			if d.Allowed {
				return next(c)
			}
			rl.countDenial(c.Request().Method, echoRoute(c), id.Kind)
			return c.JSONBlob(http.StatusTooManyRequests, denyJSON(rl.cfg.Policy, id, d))
		}
	}
}

// Handler returns the limiter as net/http middleware around next. When next
// is a *http.ServeMux, a denied request's route is looked up in it (and set
// as r.Pattern, for the [HTTP] middleware around this one); otherwise it is
// r.Pattern, so wrap each route's handler to count denials by route.
func (rl *RateLimiter) Handler(next http.Handler) http.Handler {
	mux, _ := next.(*http.ServeMux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rl.cfg.HTTPSkipper != nil && rl.cfg.HTTPSkipper(r) {
			next.ServeHTTP(w, r)
			return
		}
		id := identify(rl.cfg.Identity, nil, r)
		d := rl.lim.Allow(id)
		rl.hv.set(w.Header(), d)
		if d.Allowed {
			next.ServeHTTP(w, r)
			return
		}
		if r.Pattern == "" && mux != nil {
			_, r.Pattern = mux.Handler(r)
		}
		rl.countDenial(r.Method, httpRoute(r), id.Kind)
		writeDenied(w, denyJSON(rl.cfg.Policy, id, d))
	})
}

func (rl *RateLimiter) countDenial(method, route, kind string) {
	if rl.stats != nil {
		rl.stats.Route(methodLabel(method), route).RateLimited(kind)
	}
}

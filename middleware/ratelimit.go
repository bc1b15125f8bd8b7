package middleware

import (
	"fmt"
	"net/http"
	"time"

	"github.com/soaklab/soak/probe"
)

// RateLimitConfig configures a per-identity rate limiter for net/http
// ([NewRateLimiter]). (The echo limiter is middleware/echoprobe's.)
type RateLimitConfig struct {
	// Skipper lets requests through unlimited when it returns true.
	// Optional; default nil (limit every request).
	Skipper func(r *http.Request) bool

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
	// []Identifier{UserFromContext(userKey)}.
	Identity []Identifier

	// MaxIdentities caps the identity table (see LimiterConfig).
	// Optional; default DefaultMaxIdentities.
	MaxIdentities int

	// Now is the clock. Optional; default: the monotonic clock. Tests
	// inject one.
	Now func() time.Time

	// Headers says which allowed responses carry the RateLimit-* fields
	// (every 429 does). Optional; default HeadersNearLimit: those of an
	// identity with half its allowance or less left.
	Headers HeaderMode
}

// DefaultRateLimitName is the name a limiter declares its policy under
// when RateLimitConfig.Name is empty.
const DefaultRateLimitName = "default"

// DefaultRateLimitConfig limits each client IP to 100 requests per minute,
// with a burst of 100.
var DefaultRateLimitConfig = RateLimitConfig{Policy: PerMinute(100)}

// RateLimiter is a per-identity rate limiter for net/http
// ([RateLimiter.Handler]). A denied request gets 429 with Retry-After, the
// RateLimit-* fields (see [HeaderRateLimitLimit]) and a JSON body:
//
//	{"error":"Rate limit exceeded","policy":"100 req/min, burst 100","identity":"user","retry_after_seconds":1}
//
// Allowed responses carry the RateLimit-* fields too once the identity has
// half its allowance or less left (RateLimitConfig.Headers). Safe for
// concurrent use.
type RateLimiter struct {
	cfg      RateLimitConfig
	lim      *Limiter
	stats    *probe.HTTPStats // nil without a probe
	declared Policy           // with the identity keys and the algorithm
}

// NewRateLimiter returns a RateLimiter, or an error wrapping
// [ErrInvalidConfig] that names the invalid field. It declares the policy
// to cfg.Probe.
func NewRateLimiter(cfg RateLimitConfig) (*RateLimiter, error) {
	var kinds []string
	for i, id := range cfg.Identity {
		if id.Kind == "" || id.HTTP == nil {
			return nil, fmt.Errorf("%w: Identity[%d] needs a Kind and an HTTP extractor", ErrInvalidConfig, i)
		}
		kinds = append(kinds, id.Kind)
	}
	lim, err := NewLimiter(LimiterConfig{Policy: cfg.Policy, MaxIdentities: cfg.MaxIdentities, Now: cfg.Now, Headers: cfg.Headers})
	if err != nil {
		return nil, err
	}
	rl := &RateLimiter{cfg: cfg, lim: lim}
	if rl.declared, rl.stats, err = Declare(cfg.Probe, cfg.Name, lim, kinds); err != nil {
		return nil, err
	}
	return rl, nil
}

// Declare is the step every rate limiter built on a [Limiter] takes when
// it is created (this package's, middleware/echoprobe's): it derives the
// policy it enforces from l and the kinds of its identifiers (GCRA,
// limiting per those kinds in order, then per client IP, every identifier
// list's fallback), declares it to p under name (default
// [DefaultRateLimitName]; nothing when p is nil), and returns it with the
// route store to count denials in (nil without a probe). Errors wrap
// [ErrInvalidConfig] and name the field.
func Declare(p *probe.Probe, name string, l *Limiter, kinds []string) (Policy, *probe.HTTPStats, error) {
	declared, err := l.declared(kinds...)
	if err != nil || p == nil {
		return declared, nil, err
	}
	if name == "" {
		name = DefaultRateLimitName
	}
	if err := p.DeclareRateLimit(name, declared); err != nil {
		return Policy{}, nil, fmt.Errorf("%w: Name: %w", ErrInvalidConfig, err)
	}
	return declared, p.HTTP(), nil
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

// Handler returns the limiter as net/http middleware around next. When next
// is a *http.ServeMux, a denied request's route is looked up in it (and set
// as r.Pattern, for the [HTTP] middleware around this one); otherwise it is
// r.Pattern, so wrap each route's handler to count denials by route.
func (rl *RateLimiter) Handler(next http.Handler) http.Handler {
	mux, _ := next.(*http.ServeMux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rl.cfg.Skipper != nil && rl.cfg.Skipper(r) {
			next.ServeHTTP(w, r)
			return
		}
		id := identify(rl.cfg.Identity, r)
		d := rl.lim.Allow(id)
		rl.lim.SetHeaders(w.Header(), d)
		if d.Allowed {
			next.ServeHTTP(w, r)
			return
		}
		if r.Pattern == "" && mux != nil {
			_, r.Pattern = mux.Handler(r)
		}
		CountDenial(rl.stats, r.Method, httpRoute(r), id.Kind)
		writeDenied(w, rl.lim.DeniedBody(id.Kind, d))
	})
}

// CountDenial counts a request denied by a rate limiter built on a
// [Limiter] in stats (nothing when nil), under its method label
// ([MethodLabel]), route and identity kind.
func CountDenial(stats *probe.HTTPStats, method, route, kind string) {
	if stats != nil {
		stats.Route(MethodLabel(method), route).RateLimited(kind)
	}
}

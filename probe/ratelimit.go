package probe

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RateLimitAlgorithm is how a rate limiter counts requests.
type RateLimitAlgorithm string

// Rate-limit algorithms. GCRA and TokenBucket admit the same requests:
// Burst at once after idling, then Limit per Period on average. A window
// admits Limit requests per window, all at once if they come so.
const (
	// GCRA is the generic cell rate algorithm, the continuous form of a
	// token bucket: requests spaced Period/Limit apart on average, Burst
	// in hand after idling. soak's middleware enforces it.
	GCRA RateLimitAlgorithm = "gcra"
	// TokenBucket refills a bucket of Burst tokens at Limit per Period;
	// a request takes one.
	TokenBucket RateLimitAlgorithm = "token-bucket"
	// FixedWindow counts Limit requests per window of Period aligned on
	// the clock (a new window starts afresh), so up to 2×Limit can pass
	// across a boundary.
	FixedWindow RateLimitAlgorithm = "fixed-window"
	// SlidingWindow allows at most Limit requests in any Period (a
	// sliding log, or the weighted two-window approximation).
	SlidingWindow RateLimitAlgorithm = "sliding-window"
)

// ErrInvalidRateLimit is wrapped by the errors of [RateLimitPolicy.Validate]
// and [Probe.DeclareRateLimit]; the message names the field.
var ErrInvalidRateLimit = errors.New("probe: invalid rate-limit policy")

// RateLimitPolicy is a rate limit as data: how many requests, per how
// long, for whom, counted how. soak's middleware reports the policy it
// enforces (middleware.Policy is this type), a service with a limiter of
// its own declares it with [Probe.DeclareRateLimit], and a report reads
// it from [Snapshot.RateLimits] to predict the 429s a load should get.
//
// In JSON: {"limit":100,"period_ns":60000000000,"burst":100,
// "algorithm":"gcra","key":"user","fallback":["ip"]}.
type RateLimitPolicy struct {
	// Limit is the number of requests an identity may send per Period.
	// Required, > 0.
	Limit int `json:"limit"`
	// Period is the window Limit refers to: at least 1 ms, at most
	// 1,000,000 requests per millisecond. In JSON, in nanoseconds.
	Period time.Duration `json:"period_ns"`
	// Burst is how many requests an idle identity may send at once: for
	// GCRA and TokenBucket the bucket's size, 1 to 1,000,000; 0 means
	// Limit. For the windows it can only be Limit (or 0).
	// [Probe.DeclareRateLimit] stores 0 as Limit.
	Burst int `json:"burst"`
	// Algorithm is how the limiter counts. Empty means not stated:
	// soak's middleware reads it as GCRA (the only one it enforces), and
	// [Probe.DeclareRateLimit] refuses it.
	Algorithm RateLimitAlgorithm `json:"algorithm"`
	// Key is what one identity is: [IdentityUser], [IdentityIP],
	// [IdentityHeader], or a name of the service's own ("api-key",
	// "tenant"); at most 32 bytes. Empty: one identity for all requests,
	// a limit on the whole service.
	Key string `json:"key,omitempty"`
	// Fallback lists the identities tried, in order, for a request that
	// has no Key (soak's middleware ends every list with [IdentityIP]:
	// anonymous requests are limited per client address). Only with a
	// Key; at most 8.
	Fallback []string `json:"fallback,omitempty"`
	// Shared says that one identity of Key stands for many users, so that
	// they share its allowance: a tenant, an API key every copy of a
	// client app sends, a client IP behind which many users sit (as all
	// of a soak's virtual users do on one machine). False for a user id.
	// Only with a Key.
	Shared bool `json:"shared,omitempty"`
}

// Validate reports the first invalid field, wrapping [ErrInvalidRateLimit].
func (p RateLimitPolicy) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidRateLimit}, args...)...)
	}
	switch {
	case p.Limit <= 0:
		return bad("Limit must be > 0, got %d", p.Limit)
	case p.Period < time.Millisecond:
		return bad("Period must be >= 1ms, got %v", p.Period)
	case p.Burst < 0 || p.Burst > 1_000_000:
		return bad("Burst must be 0 (= Limit) to 1000000, got %d", p.Burst)
	case p.Period/time.Duration(p.Limit) <= 0:
		return bad("Limit %d per Period %v is more than one request per nanosecond", p.Limit, p.Period)
	}
	switch p.Algorithm {
	case "", GCRA, TokenBucket:
	case FixedWindow, SlidingWindow:
		if p.Burst != 0 && p.Burst != p.Limit {
			return bad("Burst %d: a %s admits Limit (%d) at once, no other burst", p.Burst, p.Algorithm, p.Limit)
		}
	default:
		return bad("Algorithm %q: want %q, %q, %q or %q", p.Algorithm, GCRA, TokenBucket, FixedWindow, SlidingWindow)
	}
	if p.Key == "" && (len(p.Fallback) > 0 || p.Shared) {
		return bad("Fallback and Shared need a Key")
	}
	if p.Key != "" {
		if err := validKey("Key", p.Key); err != nil {
			return err
		}
	}
	if len(p.Fallback) > 8 {
		return bad("Fallback lists %d identities, at most 8", len(p.Fallback))
	}
	for i, k := range p.Fallback {
		if err := validKey(fmt.Sprintf("Fallback[%d]", i), k); err != nil {
			return err
		}
	}
	return nil
}

// validKey checks an identity name: 1 to 32 bytes of letters, digits, '-'
// and '_' (it shows in reports and in the configuration text).
func validKey(field, k string) error {
	ok := k != "" && len(k) <= 32
	for _, c := range []byte(k) {
		ok = ok && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')
	}
	if !ok {
		return fmt.Errorf("%w: %s %q: want 1 to 32 letters, digits, '-' or '_'", ErrInvalidRateLimit, field, k)
	}
	return nil
}

// BurstOrLimit returns Burst, or Limit when Burst is 0.
func (p RateLimitPolicy) BurstOrLimit() int {
	if p.Burst == 0 {
		return p.Limit
	}
	return p.Burst
}

// WithKeys returns p limited per keys: the first is the Key, the others
// the Fallback, repeats dropped; Shared is set unless the Key is
// [IdentityUser]. soak's middleware derives its policy from its
// identifiers this way.
func (p RateLimitPolicy) WithKeys(keys ...string) RateLimitPolicy {
	var uniq []string
	for _, k := range keys {
		if !slices.Contains(uniq, k) {
			uniq = append(uniq, k)
		}
	}
	p.Key, p.Fallback, p.Shared = "", nil, false
	if len(uniq) > 0 {
		p.Key, p.Shared = uniq[0], uniq[0] != IdentityUser
		p.Fallback = uniq[1:]
		if len(p.Fallback) == 0 {
			p.Fallback = nil
		}
	}
	return p
}

// String describes the policy for people and for the report's
// Configuration section: "100 req/min, burst 100", "100 req/min per user
// (else per ip), burst 100", "1000 req/h per api-key (fixed window)".
func (p RateLimitPolicy) String() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(p.Limit) + " req/" + periodName(p.Period))
	if p.Key != "" {
		b.WriteString(" per " + p.Key)
		if len(p.Fallback) > 0 {
			b.WriteString(" (else per " + strings.Join(p.Fallback, ", else per ") + ")")
		}
	}
	switch p.Algorithm {
	case FixedWindow:
		b.WriteString(" (fixed window)")
	case SlidingWindow:
		b.WriteString(" (sliding window)")
	case TokenBucket:
		b.WriteString(", burst " + strconv.Itoa(p.BurstOrLimit()) + " (token bucket)")
	default:
		b.WriteString(", burst " + strconv.Itoa(p.BurstOrLimit()))
	}
	return b.String()
}

func periodName(d time.Duration) string {
	switch d {
	case time.Second:
		return "s"
	case time.Minute:
		return "min"
	case time.Hour:
		return "h"
	case 24 * time.Hour:
		return "day"
	}
	return d.String()
}

// RateLimitDeclaration is one rate limiter's policy, as a [Snapshot] lists
// it in RateLimits.
type RateLimitDeclaration struct {
	// Name names the limiter: RateLimitConfig.Name for soak's middleware
	// ("default" unless set), the name given to [Probe.DeclareRateLimit].
	Name   string          `json:"name"`
	Policy RateLimitPolicy `json:"policy"`
}

// maxRateLimits bounds the policies a probe keeps.
const maxRateLimits = 16

// DeclareRateLimit states the policy of a rate limiter by name, replacing
// an earlier declaration of that name: a snapshot then carries it, typed,
// in RateLimits, and a report predicts the 429s a load should get from
// it. soak's middleware declares the policy it enforces; a service with a
// limiter of its own (at a gateway, in a library) declares it itself. The
// policy must be valid and state its Algorithm; Burst 0 is stored as
// Limit. A name is 1 to 64 bytes; at most 16 names are kept.
//
// The policies are also written, as text, under [ConfigRateLimit] (the
// String of the only one, or "name: policy; ..." of several, by name) for
// the report's Configuration section and for readers of that text.
func (p *Probe) DeclareRateLimit(name string, policy RateLimitPolicy) error {
	p.init()
	if name == "" || len(name) > maxConfigKey {
		return fmt.Errorf("%w: DeclareRateLimit(%q): the name must be 1 to %d bytes", ErrInvalidRateLimit, name, maxConfigKey)
	}
	if err := policy.Validate(); err != nil {
		return fmt.Errorf("DeclareRateLimit(%q): %w", name, err)
	}
	if policy.Algorithm == "" {
		return fmt.Errorf("%w: DeclareRateLimit(%q): Algorithm: say how the limiter counts (%s, %s, %s or %s)",
			ErrInvalidRateLimit, name, GCRA, TokenBucket, FixedWindow, SlidingWindow)
	}
	policy.Burst = policy.BurstOrLimit()
	policy.Fallback = slices.Clone(policy.Fallback)
	if !p.rateLimits.set(name, policy, maxRateLimits) {
		return fmt.Errorf("%w: DeclareRateLimit(%q): at most %d limiters", ErrInvalidRateLimit, name, maxRateLimits)
	}
	decls := p.rateLimitDeclarations()
	text := decls[0].Policy.String()
	if len(decls) > 1 {
		parts := make([]string, len(decls))
		for i, d := range decls {
			parts[i] = d.Name + ": " + d.Policy.String()
		}
		text = strings.Join(parts, "; ")
	}
	p.SetConfig(ConfigRateLimit, text)
	return nil
}

// rateLimitDeclarations returns the declared policies by name.
func (p *Probe) rateLimitDeclarations() []RateLimitDeclaration {
	names, policies := p.rateLimits.sorted()
	var out []RateLimitDeclaration
	for i, pol := range policies {
		pol.Fallback = slices.Clone(pol.Fallback)
		out = append(out, RateLimitDeclaration{Name: names[i], Policy: pol})
	}
	return out
}

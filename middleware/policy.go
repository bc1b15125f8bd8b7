package middleware

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/soaklab/soak/probe"
)

// ErrInvalidConfig is wrapped by every configuration error of this package;
// the message names the offending field.
var ErrInvalidConfig = errors.New("middleware: invalid configuration")

// Policy is a rate-limit policy: Limit requests per Period for each
// identity, of which up to Burst may arrive at once. It is
// [probe.RateLimitPolicy], the type the probe carries in its snapshots, so
// that a report reads the policy as data. The limiter reads Limit, Period
// and Burst (0 means Limit); Algorithm must be empty or [probe.GCRA], the
// only one it enforces; Key, Fallback and Shared are left empty: the
// limiter fills them from its identifiers when it declares the policy to
// the probe ([RateLimiter.Policy]).
//
// It is enforced as a GCRA (generic cell rate algorithm, the continuous
// form of a token bucket): requests are spaced Period/Limit apart on
// average, and an identity that has been idle has Burst requests in hand.
// With Burst == Limit (the default), "100 requests per minute" lets a fresh
// user send 100 requests at once and then one every 600 ms; the 101st
// request in a burst gets 429 with Retry-After 1.
//
// Note that this is not a fixed window: a user sending steadily at 150/min
// is allowed Burst + t×Limit/Period requests by time t, so the first denial
// comes after two minutes, and 50 of every 150 are denied thereafter.
type Policy = probe.RateLimitPolicy

// PerMinute returns the policy of n requests per minute with a burst of n,
// the shape of "100 req/min per user".
func PerMinute(n int) Policy { return Policy{Limit: n, Period: time.Minute} }

// validPolicy reports whether the limiter can enforce p, wrapping
// [ErrInvalidConfig] (and probe.ErrInvalidRateLimit) with the field.
func validPolicy(p Policy) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("%w: Policy: %w", ErrInvalidConfig, err)
	}
	if p.Algorithm != "" && p.Algorithm != probe.GCRA {
		return fmt.Errorf("%w: Policy.Algorithm %q: the limiter is a GCRA (%q, or empty)", ErrInvalidConfig, p.Algorithm, probe.GCRA)
	}
	if p.Key != "" || len(p.Fallback) > 0 || p.Shared {
		return fmt.Errorf("%w: Policy.Key, Fallback and Shared come from the Identity list: leave them empty", ErrInvalidConfig)
	}
	return nil
}

// headerPolicy is the RateLimit-Policy field value: "100;w=60", with
// ";burst=N" when the burst differs from the limit. The window is in whole
// seconds, rounded up.
func headerPolicy(p Policy) string {
	s := strconv.Itoa(p.Limit) + ";w=" + strconv.FormatInt(ceilSeconds(p.Period), 10)
	if b := p.BurstOrLimit(); b != p.Limit {
		s += ";burst=" + strconv.Itoa(b)
	}
	return s
}

// ceilSeconds rounds d up to whole seconds; 0 for d <= 0.
func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Second - 1) / time.Second)
}

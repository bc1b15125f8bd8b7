package middleware

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// ErrInvalidConfig is wrapped by every configuration error of this package;
// the message names the offending field.
var ErrInvalidConfig = errors.New("middleware: invalid configuration")

// Policy is a rate-limit policy: Limit requests per Period for each
// identity, of which up to Burst may arrive at once.
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
type Policy struct {
	// Limit is the number of requests allowed per Period. Required, > 0.
	Limit int
	// Period is the window Limit refers to. Required, >= 1ms.
	Period time.Duration
	// Burst is how many requests an idle identity may send at once.
	// Optional; 0 means Limit. At most 1,000,000.
	Burst int
}

// PerMinute returns the policy of n requests per minute with a burst of n,
// the shape of "100 req/min per user".
func PerMinute(n int) Policy { return Policy{Limit: n, Period: time.Minute} }

// Validate reports the first invalid field, wrapping [ErrInvalidConfig].
func (p Policy) Validate() error {
	switch {
	case p.Limit <= 0:
		return fmt.Errorf("%w: Policy.Limit must be > 0, got %d", ErrInvalidConfig, p.Limit)
	case p.Period < time.Millisecond:
		return fmt.Errorf("%w: Policy.Period must be >= 1ms, got %v", ErrInvalidConfig, p.Period)
	case p.Burst < 0 || p.Burst > 1_000_000:
		return fmt.Errorf("%w: Policy.Burst must be 0 (= Limit) to 1000000, got %d", ErrInvalidConfig, p.Burst)
	case p.Period/time.Duration(p.Limit) <= 0:
		return fmt.Errorf("%w: Policy.Limit %d per Period %v is more than one request per nanosecond", ErrInvalidConfig, p.Limit, p.Period)
	}
	return nil
}

func (p Policy) burst() int {
	if p.Burst == 0 {
		return p.Limit
	}
	return p.Burst
}

// String describes the policy for a report: "100 req/min, burst 100".
func (p Policy) String() string {
	return strconv.Itoa(p.Limit) + " req/" + periodName(p.Period) + ", burst " + strconv.Itoa(p.burst())
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

// headerPolicy is the RateLimit-Policy field value: "100;w=60", with
// ";burst=N" when the burst differs from the limit. The window is in whole
// seconds, rounded up.
func (p Policy) headerPolicy() string {
	s := strconv.Itoa(p.Limit) + ";w=" + strconv.FormatInt(ceilSeconds(p.Period), 10)
	if p.burst() != p.Limit {
		s += ";burst=" + strconv.Itoa(p.burst())
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

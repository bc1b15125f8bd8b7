package flagx

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MaxRate bounds every rate flag, per second (the engine's own bound).
const MaxRate = 1e7

// ParseRate reads a rate per second: "100", "100/s", "6000/m" (per
// minute), "360000/h" (per hour), "2.5/s". It refuses zero, negative,
// non-finite rates and rates above MaxRate.
func ParseRate(s string) (float64, error) {
	t := strings.TrimSpace(s)
	num, unit, _ := strings.Cut(t, "/")
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, fmt.Errorf("%q: not a rate (use 100, 100/s, 6000/m or 360000/h)", s)
	}
	switch strings.TrimSpace(unit) {
	case "", "s", "sec", "second":
	case "m", "min", "minute":
		n /= 60
	case "h", "hour":
		n /= 3600
	default:
		return 0, fmt.Errorf("%q: unknown unit %q (use /s, /m or /h)", s, unit)
	}
	if n <= 0 {
		return 0, fmt.Errorf("%q: not positive", s)
	}
	if n > MaxRate {
		return 0, fmt.Errorf("%q: above %g per second", s, MaxRate)
	}
	return n, nil
}

// Rate is a flag.Value for ParseRate, in events per second.
type Rate struct {
	PerSecond float64
	IsSet     bool
}

// String formats the rate as "N/s", or "0" when unset.
func (r *Rate) String() string {
	if r == nil || r.PerSecond == 0 {
		return "0"
	}
	return strconv.FormatFloat(r.PerSecond, 'g', -1, 64) + "/s"
}

// Set parses s with ParseRate.
func (r *Rate) Set(s string) error {
	return set(&r.PerSecond, &r.IsSet, s, ParseRate)
}

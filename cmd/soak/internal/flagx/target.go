package flagx

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Off is the value a target flag takes for "off": the analysis reads a
// negative target as "no target".
const Off = -1

// ParseFraction reads a ratio: "0.5%", "80%", "0.005" (a fraction), or
// "off" (Off). It refuses values outside [0, 1].
func ParseFraction(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if t == "off" {
		return Off, nil
	}
	pct := strings.HasSuffix(t, "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(t, "%")), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q: not a ratio (use 0.5%%, 80%%, 0.005 or off)", s)
	}
	if pct {
		v /= 100
	}
	if v < 0 || v > 1 {
		return 0, fmt.Errorf("%q: not between 0%% and 100%%", s)
	}
	return v, nil
}

// Fraction is a flag.Value for ParseFraction.
type Fraction struct {
	V     float64
	IsSet bool
}

// String writes the ratio as a percentage, or "off".
func (f *Fraction) String() string {
	switch {
	case f == nil || !f.IsSet:
		return ""
	case f.V < 0:
		return "off"
	}
	return strconv.FormatFloat(f.V*100, 'g', -1, 64) + "%"
}

// Set parses s with ParseFraction.
func (f *Fraction) Set(s string) error {
	return set(&f.V, &f.IsSet, s, ParseFraction)
}

// Limit is a flag.Value for a latency target: a duration (ParseDuration)
// or "off", which sets D to Off.
type Limit struct {
	D     time.Duration
	IsSet bool
}

// String writes the limit, or "off".
func (l *Limit) String() string {
	switch {
	case l == nil || !l.IsSet:
		return ""
	case l.D < 0:
		return "off"
	}
	return FormatDuration(l.D)
}

// Set parses s.
func (l *Limit) Set(s string) error {
	if strings.TrimSpace(s) == "off" {
		l.D, l.IsSet = Off, true
		return nil
	}
	d, err := ParseDuration(s)
	if err != nil {
		return err
	}
	if d == 0 {
		return fmt.Errorf("%q: a zero target cannot be met (use off to turn it off)", s)
	}
	l.D, l.IsSet = d, true
	return nil
}

// RateLimit is a flag.Value for a throughput target: a rate (ParseRate)
// or "off", which sets PerSecond to Off.
type RateLimit struct{ Rate }

// String writes the rate, or "off".
func (r *RateLimit) String() string {
	if r != nil && r.IsSet && r.PerSecond < 0 {
		return "off"
	}
	return r.Rate.String()
}

// Set parses s.
func (r *RateLimit) Set(s string) error {
	if strings.TrimSpace(s) == "off" {
		r.PerSecond, r.IsSet = Off, true
		return nil
	}
	return r.Rate.Set(s)
}

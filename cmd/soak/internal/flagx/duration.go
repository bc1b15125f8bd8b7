package flagx

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MaxDuration bounds every duration flag: a year is longer than any soak.
const MaxDuration = 366 * 24 * time.Hour

// ParseDuration reads a duration the way Locust's --run-time does: Go
// durations ("90s", "30m", "1h30m", "1.5h", "250ms") or a bare number of
// seconds ("90"). It refuses negative values and values above MaxDuration.
func ParseDuration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("empty: want a duration such as 90s, 30m or 1h30m")
	}
	var d time.Duration
	if n, err := strconv.ParseFloat(t, 64); err == nil && isDigits(t) {
		if n > MaxDuration.Seconds() {
			return 0, fmt.Errorf("%q: above %v", s, MaxDuration)
		}
		d = time.Duration(n * float64(time.Second))
	} else {
		var perr error
		d, perr = time.ParseDuration(t)
		if perr != nil {
			return 0, fmt.Errorf("%q: not a duration (use 90s, 30m, 1h30m, or seconds)", s)
		}
	}
	if d < 0 {
		return 0, fmt.Errorf("%q: negative", s)
	}
	if d > MaxDuration {
		return 0, fmt.Errorf("%q: above %v", s, MaxDuration)
	}
	return d, nil
}

// isDigits reports whether s is a plain decimal number (digits and at most
// one dot), so "1e3" or "Inf" are not taken for seconds.
func isDigits(s string) bool {
	dot := false
	for i, c := range s {
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 0:
			dot = true
		default:
			return false
		}
	}
	return true
}

// Duration is a flag.Value for ParseDuration. Set records that the flag was
// given, so a command can tell an explicit 0 from the default.
type Duration struct {
	D     time.Duration
	IsSet bool
}

// String formats D like time.Duration, without zero units ("1h30m", not
// "1h30m0s").
func (d *Duration) String() string {
	if d == nil {
		return "0s"
	}
	return FormatDuration(d.D)
}

// Set parses s with ParseDuration.
func (d *Duration) Set(s string) error {
	return set(&d.D, &d.IsSet, s, ParseDuration)
}

// FormatDuration writes d as time.Duration does, without the zero units
// that make "30m0s" hard to read: 30m, 1h30m, 90ms.
func FormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

package human

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Bytes formats n as "512 B", "3.4 KB", "12.0 MB", "1.50 GB" (powers
// of 1024, as pprof and free(1) count).
func Bytes(n int64) string {
	neg := ""
	if n < 0 {
		neg, n = "-", -n
	}
	f := float64(n)
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%s%d B", neg, n)
	case n < 1<<20:
		return fmt.Sprintf("%s%.1f KB", neg, f/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%s%.1f MB", neg, f/(1<<20))
	}
	return fmt.Sprintf("%s%.2f GB", neg, f/(1<<30))
}

// FractionalBytes formats a byte count that may be fractional or
// negative, such as bytes per request: "-12 B", "640 B", "3.4 KB".
func FractionalBytes(v float64) string {
	if math.Abs(v) >= 1024 {
		return fmt.Sprintf("%.1f KB", v/1024)
	}
	return fmt.Sprintf("%.0f B", v)
}

// MiB converts bytes to MiB (2^20 bytes, as pprof counts).
func MiB(n float64) float64 { return n / (1 << 20) }

// Millis formats d in milliseconds: "0.42 ms", "12 ms", "1,204 ms".
func Millis(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v < 10:
		return fmt.Sprintf("%.2f ms", v)
	case v < 1000:
		return fmt.Sprintf("%.0f ms", v)
	}
	return Count(int64(math.Round(v))) + " ms"
}

// LimitPercent writes a threshold fraction as a percentage with the fewest
// digits that state it exactly ("80%", "0.5%"), as the seed's template
// writes its targets; measured values use Percent.
func LimitPercent(f float64) string {
	v := math.Round(100*f*1e6) / 1e6 // 100*0.005 is 0.5000000000000001
	return strconv.FormatFloat(v, 'f', -1, 64) + "%"
}

// Percent formats a fraction as a percentage: "0%", "0.42%", "12.5%",
// "250%".
func Percent(f float64) string {
	v := 100 * f
	switch {
	case v == 0:
		return "0%"
	case v < 1:
		return fmt.Sprintf("%.2f%%", v)
	case v < 100:
		return fmt.Sprintf("%.1f%%", v)
	}
	return fmt.Sprintf("%.0f%%", v)
}

// Count formats n with thousands separators: 1234567 -> "1,234,567".
func Count(n int64) string {
	s := fmt.Sprint(n)
	neg := ""
	if n < 0 {
		neg, s = "-", s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return neg + string(out)
}

// Plural writes a count and its noun: "1 user", "2 users", "1,200
// requests". word is the singular; an s makes the plural.
func Plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return Count(n) + " " + word + "s"
}

// Minutes formats d as minutes for window labels: "10", "2.5".
func Minutes(d time.Duration) string { return OneDecimal(d.Minutes()) }

// Seconds formats d as seconds for window labels: "40", "2.7".
func Seconds(d time.Duration) string { return OneDecimal(d.Seconds()) }

// OneDecimal formats v with one decimal, none when it is whole: "10",
// "2.5".
func OneDecimal(v float64) string {
	v = math.Round(v*10) / 10
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// Span formats a length of time the same way everywhere in the report:
// "4.2 s" and "45 s" below a minute, "1 min 38 s", "2 min", "1 h 5 min".
func Span(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return OneDecimal(d.Seconds()) + " s"
	case d < time.Minute:
		return fmt.Sprintf("%.0f s", d.Round(time.Second).Seconds())
	case d < time.Hour:
		d = d.Round(time.Second)
		m, s := int(d.Minutes()), int(d.Seconds())%60
		if s == 0 {
			return fmt.Sprintf("%d min", m)
		}
		return fmt.Sprintf("%d min %d s", m, s)
	}
	d = d.Round(time.Minute)
	h, m := int(d.Hours()), int(d.Minutes())%60
	if m == 0 {
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}

// Per names a period for rates: "minute" for 1 min, "second", "hour",
// else its span ("per 10 s").
func Per(d time.Duration) string {
	switch d {
	case time.Second:
		return "second"
	case time.Minute:
		return "minute"
	case time.Hour:
		return "hour"
	}
	return Span(d)
}

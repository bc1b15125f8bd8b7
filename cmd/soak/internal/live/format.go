package live

import (
	"fmt"
	"time"

	"github.com/soaklab/soak/cmd/soak/internal/flagx"
)

// Millis formats a latency in microseconds for a human: "0.42ms",
// "12.3ms", "480ms", "1.25s".
func Millis(us int64) string {
	ms := float64(us) / 1000
	switch {
	case us == 0:
		return "-"
	case ms < 10:
		return fmt.Sprintf("%.2fms", ms)
	case ms < 100:
		return fmt.Sprintf("%.1fms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.0fms", ms)
	default:
		return fmt.Sprintf("%.2fs", ms/1000)
	}
}

// Clock formats an elapsed time to the second: "0s", "1m05s", "1h02m03s".
func Clock(d time.Duration) string {
	d = d.Round(time.Second)
	if d < 0 {
		d = 0
	}
	h, m, s := int(d/time.Hour), int(d/time.Minute)%60, int(d/time.Second)%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, s)
	default:
		return fmt.Sprintf("%ds", s)
	}
}

// Percent formats part/whole as a percentage with two decimals, "-" when
// whole is zero.
func Percent(part, whole int64) string {
	if whole == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f%%", 100*float64(part)/float64(whole))
}

// windowLabel names a window width: "last 10s", "last 400ms" for a
// window shorter than a second.
func windowLabel(d time.Duration) string {
	if d < time.Second {
		return "last " + d.Round(time.Millisecond).String()
	}
	return "last " + flagx.FormatDuration(d.Round(time.Second))
}

package report

import (
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/analysis/stats"
)

// TestMemoryGrowthWordsFollowTheTrend: Memory Growth calls the heap
// rising, falling or flat as the trend's interval says, and explains the
// ends exactly when the figures disagree (analysis.MemoryFigures
// .EndsDisagree, swept over noisy runs in engine/analysis).
func TestMemoryGrowthWordsFollowTheTrend(t *testing.T) {
	trend := func(lo, hi float64) stats.Trend {
		return stats.Trend{Slope: (lo + hi) / 2, Lo: lo, Hi: hi, N: 30}
	}
	const mbPerHour = float64(1<<20) / 3600 // bytes per second
	cases := []struct {
		name   string
		trend  stats.Trend
		growth int64 // bytes over the 5 min steady state
		want   []string
	}{
		{"rising, ends agree", trend(50*mbPerHour, 70*mbPerHour), 5 << 20, []string{": rising)", "+5.0 MB from the start"}},
		{"flat", trend(-10*mbPerHour, 10*mbPerHour), 0, []string{"flat within the noise"}},
		{"falling", trend(-70*mbPerHour, -50*mbPerHour), -5 << 20, []string{": falling)"}},
		{"rising, ends lower", trend(50*mbPerHour, 70*mbPerHour), -3 << 20, []string{": rising)", "the trend weighs them all"}},
	}
	for _, c := range cases {
		m := &analysis.MemoryFigures{Steady: 5 * time.Minute, Points: 30, GrowthBytes: c.growth, PerSecond: c.trend,
			MBPerHour: c.trend.Slope * 3600 / (1 << 20), MBPerHourLo: c.trend.Lo * 3600 / (1 << 20), MBPerHourHi: c.trend.Hi * 3600 / (1 << 20)}
		got := memoryGrowthText(m)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", c.name, got, w)
			}
		}
		if strings.Contains(got, "the trend weighs them all") != m.EndsDisagree() {
			t.Errorf("%s: %q, EndsDisagree %v", c.name, got, m.EndsDisagree())
		}
	}
}

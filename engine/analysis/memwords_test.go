package analysis

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/internal/human"
	"github.com/soaklab/soak/engine/internal/synth"
)

// shortSynth is newSynth with a steady state of d, as in a short
// in-process run.
func shortSynth(d time.Duration) *synth.Run {
	s := synth.New()
	s.SetPhases(s.Warm, d)
	return s
}

// TestMemoryWordsAgreeWithFigures sweeps short, noisy runs (a 60 s steady
// state, GC noise up to ±8 MB, slopes from flat to a fast leak, and heaps
// that flatten early) and checks every verdict's words against its
// figures: a plateau is never called one while the late slope is not
// below the whole one, EndsDisagree holds exactly when the end-to-end
// change falls outside the trend's interval and goes another way, and the
// noisy late halves the words admit to occur. (The report's Memory Growth
// words are engine/report's test.)
func TestMemoryWordsAgreeWithFigures(t *testing.T) {
	const mbf = 1 << 20
	branches := map[string]int{}
	for seed := uint64(1); seed <= 12; seed++ {
		for _, perHour := range []float64{0, 100, 263, 900, 3000} {
			for _, noise := range []float64{0.5, 3, 8} {
				for _, flatAfter := range []float64{1e9, 40} {
					slope := perHour * mbf / 3600
					level := func(t float64) float64 { return 30*mbf + slope*math.Min(max(t, 0), flatAfter) }
					s := shortSynth(60 * time.Second)
					s.AddSamples(synth.GCHeap(level, noise*mbf, seed))
					s.AddIntervals(synth.SteadyLoad)
					r := analyze(s)
					f := r.Find(DetectorMemoryLeak, "svc")
					m := f.Memory
					if m == nil {
						t.Fatalf("no figures: %s", describeFinding(f))
					}
					switch {
					case strings.Contains(f.Summary, "flattened"):
						branches["plateau"]++
						if !(m.Late.Slope < m.PerSecond.Slope) {
							t.Errorf("called a plateau with a late slope %.1f MB/hour not below the whole %.1f: %s",
								human.MiB(m.Late.Slope*3600), m.MBPerHour, f.Summary)
						}
					case strings.Contains(f.Summary, "too short or noisy"):
						branches["unclear"]++
					case strings.Contains(f.Summary, "no sustained growth"):
						branches["flat"]++
						if m.PerSecond.Rising() {
							t.Errorf("'no sustained growth' on a rising trend: %s", f.Summary)
						}
					}
					endRate := human.MiB(float64(m.GrowthBytes) / m.Steady.Seconds() * 3600)
					outside := endRate < m.MBPerHourLo || endRate > m.MBPerHourHi
					sameWay := (m.PerSecond.Rising() && m.GrowthBytes > 0) || (m.PerSecond.Falling() && m.GrowthBytes < 0) ||
						(!m.PerSecond.Rising() && !m.PerSecond.Falling() && m.GrowthBytes == 0)
					if (outside && !sameWay) != m.EndsDisagree() {
						t.Errorf("ends at %.1f MB/hour against the trend's interval %.1f to %.1f: EndsDisagree %v",
							endRate, m.MBPerHourLo, m.MBPerHourHi, m.EndsDisagree())
					}
					if outside && !sameWay {
						branches["ends disagree"]++
					}
				}
			}
		}
	}
	for _, b := range []string{"plateau", "unclear", "flat", "ends disagree"} {
		if branches[b] == 0 {
			t.Errorf("no run took the %q branch: %v", b, branches)
		}
	}
	t.Logf("branches: %v", branches)
}

func TestInFlightText(t *testing.T) {
	for n, want := range map[float64]string{0.1: "under one request", 1.2: "about 1 request", 11.6: "about 12 requests"} {
		if got := inFlightText(n); got != want {
			t.Errorf("inFlightText(%v) = %q, want %q", n, got, want)
		}
	}
}

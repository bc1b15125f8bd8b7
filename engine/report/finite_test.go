package report

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/synth"
	"github.com/soaklab/soak/probe"
)

// TestResultsEncodeFinite analyses synthetic runs at the edges (no
// request at all, every request failed, a frozen heap, an exhausted pool,
// a 60 s steady state under heavy noise, a pool with max 0) and encodes
// each result and its report as JSON, which fails on any NaN or infinity.
func TestResultsEncodeFinite(t *testing.T) {
	const mbf = 1 << 20
	noLoad := func(float64) (int64, int64, int64, int64) { return 0, 0, 0, 0 }
	allFail := func(float64) (int64, int64, int64, int64) { return 10, 10, 0, 1000 }
	zeroPool := func(t float64, ph capture.Phase) *probe.Snapshot {
		s := synth.Snap(5e6, uint64(10+max(t, 0)), 50, 0)
		s.Pools = []probe.PoolSnapshot{{Name: "db"}}
		s.Caches = []probe.CacheSnapshot{{Name: "c"}}
		return s
	}
	cases := []struct {
		name    string
		steady  time.Duration
		samples synth.SampleFunc
		load    synth.IntervalFunc
	}{
		{"no request", 300 * time.Second, synth.NoStores(), noLoad},
		{"every request failed", 300 * time.Second, synth.PoolSeries(0, 1e9), allFail},
		{"frozen heap", 300 * time.Second, func(t float64, ph capture.Phase) *probe.Snapshot { return synth.Snap(5e6, 3, 50, 0) }, synth.SteadyLoad},
		{"noisy short run", 60 * time.Second, synth.GCHeap(func(t float64) float64 { return 30 * mbf }, 8*mbf, 3), synth.SteadyLoad},
		{"pool with max 0 and an empty cache", 300 * time.Second, zeroPool, synth.SteadyLoad},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := synth.New()
			s.SetPhases(s.Warm, c.steady)
			s.AddSamples(c.samples)
			s.AddIntervals(c.load)
			r := analyze(s)
			if _, err := json.Marshal(r); err != nil {
				t.Errorf("result: %v", err)
			}
			if _, err := json.Marshal(NewReport(r, nil)); err != nil {
				t.Errorf("report: %v", err)
			}
			if md := markdownOf(t, r); strings.Contains(md, "NaN") || strings.Contains(md, "Inf") {
				t.Errorf("a non-finite figure in the Markdown:\n%s", md)
			}
		})
	}
}

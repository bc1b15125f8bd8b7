package report

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/soaklab/soak/engine"
)

// The reference below is a line-by-line port of locust/stats.py
// (locustio/locust at 0070e8b309bfb3b50ec9be12f088d8e92032cdde):
// _log_response_time's rounding, calculate_response_time_percentile and
// median_from_dict, run on the raw samples. soak's figures, derived from
// HDR histograms, must equal it.

func refRound(ms float64) float64 {
	switch {
	case ms < 100:
		return math.RoundToEven(ms)
	case ms < 1000:
		return math.RoundToEven(ms/10) * 10
	case ms < 10000:
		return math.RoundToEven(ms/100) * 100
	}
	return math.RoundToEven(ms/1000) * 1000
}

func refTimes(samplesMs []float64) map[float64]int64 {
	m := map[float64]int64{}
	for _, x := range samplesMs {
		m[refRound(x)]++
	}
	return m
}

func sortedKeys(m map[float64]int64) []float64 {
	keys := make([]float64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func refPercentile(m map[float64]int64, n int64, p float64) float64 {
	target := int64(float64(n) * p)
	var processed int64
	keys := sortedKeys(m)
	for i := len(keys) - 1; i >= 0; i-- {
		processed += m[keys[i]]
		if n-processed <= target {
			return keys[i]
		}
	}
	return 0
}

func refMedian(m map[float64]int64, total int64) float64 {
	pos := float64(total-1) / 2
	var k float64
	for _, k = range sortedKeys(m) {
		if pos < float64(m[k]) {
			return k
		}
		pos -= float64(m[k])
	}
	return k
}

// percentile is one percentile of lt, as Locust computes it.
func (lt *locustTimes) percentile(n int64, p float64) int64 {
	var out [1]int64
	lt.percentiles(n, []float64{p}, out[:])
	return out[0]
}

func timesOf(us ...int64) *locustTimes {
	var h engine.Histogram
	for _, v := range us {
		h.Record(v)
	}
	var lt locustTimes
	lt.addHistogram(&h)
	return &lt
}

// Cases from locust/test/test_stats.py, in microseconds.
func TestLocustTimesMatchLocustTests(t *testing.T) {
	ms := func(v ...int64) []int64 {
		for i := range v {
			v[i] *= 1000
		}
		return v
	}
	// TestRequestStats.setUp without the None response times: median 79.
	if got := timesOf(ms(45, 135, 44, 375, 601, 35, 79)...).median(7); got != 79 {
		t.Errorf("median = %d, want 79 (test_median)", got)
	}
	// test_percentile: 0..99 ms.
	var r []int64
	for x := range int64(100) {
		r = append(r, x*1000)
	}
	lt := timesOf(r...)
	for _, c := range []struct {
		p    float64
		want int64
	}{{0.5, 50}, {0.6, 60}, {0.95, 95}} {
		if got := lt.percentile(100, c.p); got != c.want {
			t.Errorf("percentile(%v) = %d, want %d (test_percentile)", c.p, got, c.want)
		}
	}
	// test_aggregation_with_rounding: median 550.
	if got := timesOf(ms(122, 992, 142, 552, 557, 387, 557, 977)...).median(8); got != 550 {
		t.Errorf("median = %d, want 550 (test_aggregation_with_rounding)", got)
	}
	// test_percentile_rounded_down / _up: 122 -> 120, 127 -> 130 at every percentile.
	for _, c := range []struct{ in, want int64 }{{122, 120}, {127, 130}} {
		lt := timesOf(c.in * 1000)
		for _, p := range locustPercentiles {
			if got := lt.percentile(1, p); got != c.want {
				t.Errorf("%d ms at %v = %d, want %d", c.in, p, got, c.want)
			}
		}
	}
	// test_aggregation: two entries extended into one: median 38.
	a, b := timesOf(ms(12, 12, 38)...), timesOf(ms(12, 99, 14, 55, 38, 55, 97)...)
	a.add(b)
	if got := a.median(10); got != 38 {
		t.Errorf("aggregated median = %d, want 38 (test_aggregation)", got)
	}
}

// On random recordings, the dict rebuilt from the histogram gives Locust's
// exact median and percentiles, for every sample not within half an HDR
// bucket of a rounding boundary (those are left out of the recording).
func TestLocustTimesEqualLocustOnRawSamples(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		n := 1 + rng.IntN(2000)
		var us []int64
		var msf []float64
		skipped := 0
		for len(us) < n {
			v := int64(math.Exp(rng.Float64()*math.Log(40e6/50)) * 50) // 50 µs .. 40 s, log-uniform
			lo := v - v%hdrBucketWidth(v)
			if locustRoundMillis(lo) != locustRoundMillis(lo+hdrBucketWidth(lo)-1) {
				skipped++
				continue
			}
			us = append(us, v)
			msf = append(msf, float64(v)/1000)
		}
		lt := timesOf(us...)
		ref := refTimes(msf)
		if got, want := lt.median(int64(n)), refMedian(ref, int64(n)); float64(got) != want {
			t.Fatalf("trial %d: median = %d, want %v", trial, got, want)
		}
		for _, p := range append(locustPercentiles, 0.1, 0.33, 0.999999) {
			if got, want := lt.percentile(int64(n), p), refPercentile(ref, int64(n), p); float64(got) != want {
				t.Fatalf("trial %d (%d samples, %d skipped): percentile %v = %d, want %v", trial, n, skipped, p, got, want)
			}
		}
		all := make([]int64, len(locustPercentiles))
		lt.percentiles(int64(n), locustPercentiles, all)
		for i, p := range locustPercentiles {
			if want := refPercentile(ref, int64(n), p); float64(all[i]) != want {
				t.Fatalf("trial %d: percentiles()[%v] = %d, want %v", trial, p, all[i], want)
			}
		}
	}
}

func TestLocustRoundingMatchesPython(t *testing.T) {
	for _, c := range []struct{ us, want int64 }{
		{0, 0}, {499, 0}, {500, 0}, {501, 1}, {1500, 2}, {2500, 2}, {99_499, 99}, {99_500, 100},
		{99_999, 100}, {100_000, 100}, {104_999, 100}, {105_000, 100}, {115_000, 120}, {147_000, 150},
		{999_999, 1000}, {3_432_000, 3400}, {3_450_000, 3400}, {3_550_000, 3600}, {58_760_000, 59000},
	} {
		if got := locustRoundMillis(c.us); got != c.want {
			t.Errorf("locustRoundMillis(%d) = %d, want %d", c.us, got, c.want)
		}
		if ref := refRound(float64(c.us) / 1000); ref != float64(c.want) {
			t.Errorf("reference round(%v ms) = %v, want %d", float64(c.us)/1000, ref, c.want)
		}
	}
	for i := range numLocustKeys {
		if got := locustSlot(locustSlotMillis(i)); got != i {
			t.Fatalf("slot %d -> %d ms -> slot %d", i, locustSlotMillis(i), got)
		}
		if i > 0 && locustSlotMillis(i) <= locustSlotMillis(i-1) {
			t.Fatalf("slot %d is not above slot %d", i, i-1)
		}
	}
}

// hdrBucketWidth agrees with the histogram's own bucket bounds: the lowest
// value Buckets reports and the highest equivalent value Percentile(100)
// returns.
func TestHDRBucketWidth(t *testing.T) {
	for _, v := range []int64{1, 7, 1023, 1024, 2047, 2048, 2049, 4095, 4096, 10_000, 123_457, 999_999, 5_000_001, engine.HighestMicros} {
		var h engine.Histogram
		h.Record(v)
		var lo int64
		h.Buckets(func(b, _ int64) bool { lo = b; return false })
		hi := h.Percentile(100)
		if w := hdrBucketWidth(lo); hi-lo+1 != w || v < lo || v > hi {
			t.Errorf("value %d: bucket [%d, %d] has width %d, hdrBucketWidth says %d", v, lo, hi, hi-lo+1, w)
		}
	}
}

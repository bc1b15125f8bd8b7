package report

import (
	"math/bits"

	"github.com/soaklab/soak/engine"
)

// Locust keeps, per (method, name), a dict of request counts keyed by the
// response time in milliseconds rounded to two significant digits
// (stats.py, StatsEntry._log_response_time): below 100 ms to the
// millisecond, below 1 s to 10 ms, below 10 s to 100 ms, above to the
// second, rounding half to even as Python's round() does. Its median and
// percentiles are read from that dict. soak keeps HDR histograms instead
// (1 µs resolution up to 2.048 ms, 3 significant digits above), which are
// finer than Locust's keys, so locustTimes rebuilds Locust's dict from a
// histogram by rounding each bucket's midpoint with Locust's rule. The
// result is the dict Locust would have built from the same requests,
// except that a request within half an HDR bucket (at most 0.05%) of one of
// Locust's rounding boundaries may land in the neighbouring key.

// Locust's keys, in milliseconds, map to dense slots in increasing order:
// 0..100 by 1, 110..1000 by 10, 1100..10000 by 100, then by 1000 up to
// maxLocustKeyMillis (soak's histograms stop at 60 s).
const (
	maxLocustKeyMillis = 120_000
	numLocustKeys      = 101 + 90 + 90 + (maxLocustKeyMillis-10_000)/1000
)

func locustSlot(ms int64) int {
	switch {
	case ms <= 100:
		return int(max(ms, 0))
	case ms <= 1000:
		return 100 + int(ms-100)/10
	case ms <= 10_000:
		return 190 + int(ms-1000)/100
	case ms <= maxLocustKeyMillis:
		return 280 + int(ms-10_000)/1000
	}
	return numLocustKeys - 1
}

func locustSlotMillis(i int) int64 {
	switch {
	case i <= 100:
		return int64(i)
	case i <= 190:
		return 100 + int64(i-100)*10
	case i <= 280:
		return 1000 + int64(i-190)*100
	}
	return 10_000 + int64(i-280)*1000
}

// locustRoundMillis applies Locust's rounding to a latency of us
// microseconds and returns the key in milliseconds.
func locustRoundMillis(us int64) int64 {
	var unit int64
	switch {
	case us < 100_000: // below 100 ms: round(x)
		unit = 1000
	case us < 1_000_000: // round(x, -1)
		unit = 10_000
	case us < 10_000_000: // round(x, -2)
		unit = 100_000
	default: // round(x, -3)
		unit = 1_000_000
	}
	q, r := us/unit, us%unit
	if 2*r > unit || (2*r == unit && q%2 == 1) { // half to even, as Python's round
		q++
	}
	return q * unit / 1000
}

// hdrBucketWidth is the number of distinct microsecond values that share
// the HDR bucket whose lowest value is v, for soak's geometry (1 µs lowest
// value, 3 significant digits: 2048 sub-buckets, so width 1 below 2048 µs
// and doubling with every power of two above).
func hdrBucketWidth(v int64) int64 {
	const subBucketMask = 2*1024 - 1 // 2 x subBucketHalfCount - 1
	return 1 << (bits.Len64(uint64(v)|subBucketMask) - 11)
}

// locustTimes is Locust's response_times dict as dense counts per key.
// The zero value is empty. It is a plain value, not safe for concurrent
// mutation.
type locustTimes struct {
	counts [numLocustKeys]int64
}

// addHistogram adds every value of h, rounded as Locust rounds.
func (lt *locustTimes) addHistogram(h *engine.Histogram) {
	h.Buckets(func(lo, count int64) bool {
		mid := lo + (hdrBucketWidth(lo)-1)/2
		lt.counts[locustSlot(locustRoundMillis(mid))] += count
		return true
	})
}

func (lt *locustTimes) add(o *locustTimes) {
	for i, c := range o.counts {
		lt.counts[i] += c
	}
}

func (lt *locustTimes) empty() bool {
	for _, c := range lt.counts {
		if c != 0 {
			return false
		}
	}
	return true
}

// percentiles is stats.py's calculate_response_time_percentile for every
// fraction of ps (ascending, 0.95 for 95%): out[i] is the first key,
// walking the keys from the highest, at which no more than
// int(numRequests*ps[i]) requests remain, in milliseconds (0 when no key
// qualifies). One walk serves them all: a key that satisfies a
// percentile's condition satisfies every lower percentile's no later.
func (lt *locustTimes) percentiles(numRequests int64, ps []float64, out []int64) {
	j := len(ps) - 1
	var processed int64
	for i := numLocustKeys - 1; i >= 0 && j >= 0; i-- {
		c := lt.counts[i]
		if c == 0 {
			continue
		}
		processed += c
		for j >= 0 && numRequests-processed <= int64(float64(numRequests)*ps[j]) {
			out[j] = locustSlotMillis(i)
			j--
		}
	}
	for ; j >= 0; j-- {
		out[j] = 0
	}
}

// median is stats.py's median_from_dict(total, response_times): the key
// holding the (total-1)/2-th request, counted from 0, in milliseconds; the
// highest key when total exceeds the counts; 0 when there are none.
func (lt *locustTimes) median(total int64) int64 {
	pos := float64(total-1) / 2
	last := int64(0)
	for i, c := range lt.counts {
		if c == 0 {
			continue
		}
		last = locustSlotMillis(i)
		if pos < float64(c) {
			return last
		}
		pos -= float64(c)
	}
	return last
}

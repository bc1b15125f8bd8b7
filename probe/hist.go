package probe

import (
	"math"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Latency histograms use the HDR geometry below: values in microseconds from
// 1 µs to 1 hour with 2 significant figures (at most 1 % relative error).
// Recording is lock-free (atomic adds into lazily allocated rows of 128
// counters), so a histogram that only ever sees a few orders of magnitude
// costs a few KiB, and at most 26 KiB.
const (
	// HistLowestMicros is the lowest value a latency histogram discerns.
	HistLowestMicros = 1
	// HistHighestMicros is the highest value recorded; larger values are
	// recorded as this value and counted in [Histogram.Clamped].
	HistHighestMicros = int64(time.Hour / time.Microsecond)
	// HistSignificantFigures is the HDR precision of latency histograms.
	HistSignificantFigures = 2
)

const (
	subBucketHalfCountMag = 7 // log2(128): 2 significant figures need 200 → 256 sub-buckets
	subBucketHalfCount    = 1 << subBucketHalfCountMag
	subBucketMask         = 2*subBucketHalfCount - 1
	rowLen                = subBucketHalfCount
)

// histCountsLen is the length of the dense HDR counts array for the geometry.
var histCountsLen = len(hdrhistogram.New(HistLowestMicros, HistHighestMicros, HistSignificantFigures).Export().Counts)

// histIndex returns the HDR counts index of v (µs, 0 ≤ v ≤ HistHighestMicros).
func histIndex(v int64) int {
	bucket := 64 - bits.LeadingZeros64(uint64(v)|subBucketMask) - (subBucketHalfCountMag + 1)
	sub := int(v >> uint(bucket))
	return (bucket+1)<<subBucketHalfCountMag + sub - subBucketHalfCount
}

// histValue returns the highest value equivalent to index i, the value a
// quantile query reports for it (as HDR does).
func histValue(i int) int64 {
	lo, shift := histLowest(i)
	return lo + int64(1)<<shift - 1
}

// BucketValue returns the highest latency equivalent to HDR counts index i
// of a [Histogram] (the value quantile queries report for that bucket), or
// 0 for an index out of range.
func BucketValue(i int64) time.Duration {
	if i < 0 || i >= int64(histCountsLen) {
		return 0
	}
	return time.Duration(histValue(int(i))) * time.Microsecond
}

// histLowest returns the lowest value equivalent to index i and the log2 of
// the bucket's value range.
func histLowest(i int) (int64, uint) {
	bucket := i>>subBucketHalfCountMag - 1
	sub := i&(subBucketHalfCount-1) + subBucketHalfCount
	if bucket < 0 {
		sub -= subBucketHalfCount
		bucket = 0
	}
	return int64(sub) << uint(bucket), uint(bucket)
}

type histRow [rowLen]atomic.Int64

// histRows is the number of 128-counter rows of the geometry: 25 HDR buckets
// plus the half bucket below them (checked against hdrhistogram in tests).
const histRows = 26

// Latency is a concurrent, HDR-compatible latency recorder: the one behind
// every [Histogram] of a snapshot (routes, SQL statements, Redis
// commands), for integrations to record into. Its zero value is ready to
// use; it records from 1 µs to 1 hour (see [HistHighestMicros]) and costs
// 1 KiB per 128 buckets touched, at most 26 KiB. All methods are safe for
// concurrent use. A Latency must not be copied after first use.
type Latency struct {
	rows    [histRows]atomic.Pointer[histRow] // allocated on first record
	count   atomic.Int64
	sum     atomic.Int64 // µs
	min     atomic.Int64 // µs+1, 0 = none
	max     atomic.Int64 // µs
	clamped atomic.Int64
}

// Record adds one observation of d (negative counts as 0, above an hour
// as an hour and in [Histogram.Clamped]). It takes no lock and allocates
// only the first time one of the rows of 128 counters is touched.
func (h *Latency) Record(d time.Duration) {
	v := int64(d / time.Microsecond)
	if v < 0 {
		v = 0
	}
	if v > HistHighestMicros {
		v = HistHighestMicros
		h.clamped.Add(1)
	}
	i := histIndex(v)
	h.row(i / rowLen)[i%rowLen].Add(1)
	h.count.Add(1)
	h.sum.Add(v)
	for {
		m := h.max.Load()
		if v <= m || h.max.CompareAndSwap(m, v) {
			break
		}
	}
	for {
		m := h.min.Load()
		if (m != 0 && v+1 >= m) || h.min.CompareAndSwap(m, v+1) {
			break
		}
	}
}

func (h *Latency) row(r int) *histRow {
	if p := h.rows[r].Load(); p != nil {
		return p
	}
	n := new(histRow)
	if h.rows[r].CompareAndSwap(nil, n) {
		return n
	}
	return h.rows[r].Load()
}

// Snapshot copies the recorder into a Histogram. Concurrent records may be
// partly included; Count is read first, so Count never exceeds the sum of
// the buckets by more than the records in flight.
func (h *Latency) Snapshot() Histogram {
	s := Histogram{
		Count:     h.count.Load(),
		SumMicros: h.sum.Load(),
		MaxMicros: h.max.Load(),
		Clamped:   h.clamped.Load(),
	}
	if m := h.min.Load(); m > 0 {
		s.MinMicros = m - 1
	}
	scratch := histScratch.Get().(*[][2]int64)
	buf := (*scratch)[:0]
	for r := range h.rows {
		row := h.rows[r].Load()
		if row == nil {
			continue
		}
		for c := range row {
			if v := row[c].Load(); v != 0 {
				buf = append(buf, [2]int64{int64(r*rowLen + c), v})
			}
		}
	}
	if len(buf) > 0 {
		s.Buckets = append([][2]int64(nil), buf...)
	}
	*scratch = buf
	histScratch.Put(scratch)
	return s
}

// histScratch holds buffers of one full histogram's buckets, so that a
// snapshot scans each counter once and allocates exactly.
var histScratch = sync.Pool{New: func() any {
	b := make([][2]int64, 0, histRows*rowLen)
	return &b
}}

// Histogram is a latency distribution in microseconds, cumulative since the
// probe started: a reader subtracts consecutive snapshots ([Histogram.Sub])
// to get an interval. Its geometry is fixed (see [HistLowestMicros],
// [HistHighestMicros], [HistSignificantFigures]) so histograms from any
// probe merge exactly.
type Histogram struct {
	Count     int64 `json:"count"`
	SumMicros int64 `json:"sum_us"`
	MinMicros int64 `json:"min_us"`
	MaxMicros int64 `json:"max_us"`
	// Clamped counts values above HistHighestMicros, recorded as that value.
	Clamped int64 `json:"clamped,omitempty"`
	// Buckets holds the non-empty HDR counts as [index, count] pairs in
	// ascending index order; indexes are those of an hdrhistogram-go
	// histogram with this geometry (see [Histogram.HDR]).
	Buckets [][2]int64 `json:"buckets,omitempty"`
}

// HDR returns the distribution as an hdrhistogram-go histogram (a copy).
// Buckets with an index out of range are ignored.
func (h Histogram) HDR() *hdrhistogram.Histogram {
	counts := make([]int64, histCountsLen)
	for _, b := range h.Buckets {
		if b[0] >= 0 && b[0] < int64(len(counts)) && b[1] > 0 {
			counts[b[0]] += b[1]
		}
	}
	return hdrhistogram.Import(&hdrhistogram.Snapshot{
		LowestTrackableValue:  HistLowestMicros,
		HighestTrackableValue: HistHighestMicros,
		SignificantFigures:    HistSignificantFigures,
		Counts:                counts,
	})
}

// Quantile returns the latency at quantile q, a fraction from 0 to 1
// (0.99 for the 99th percentile; a percent such as 99 is clamped to 1, the
// maximum), with HDR's semantics (the highest value equivalent to the
// bucket holding the q-th value), or 0 for an empty histogram.
func (h Histogram) Quantile(q float64) time.Duration {
	var total int64
	for _, b := range h.Buckets {
		total += b[1]
	}
	if total == 0 || math.IsNaN(q) {
		return 0
	}
	q = min(max(q, 0), 1)
	rank := int64(math.Ceil(q * float64(total)))
	rank = max(rank, 1)
	var seen int64
	for _, b := range h.Buckets {
		seen += b[1]
		if seen >= rank {
			v := histValue(int(b[0]))
			if h.MaxMicros > 0 && v > h.MaxMicros {
				v = h.MaxMicros
			}
			return time.Duration(v) * time.Microsecond
		}
	}
	return time.Duration(h.MaxMicros) * time.Microsecond
}

// Mean returns the mean latency, or 0 for an empty histogram.
func (h Histogram) Mean() time.Duration {
	if h.Count == 0 {
		return 0
	}
	return time.Duration(float64(h.SumMicros)/float64(h.Count)*1e3) * time.Nanosecond
}

// Sub returns the observations recorded between prev and h, two snapshots
// of the same recorder with prev taken first. Min and Max of the interval
// are not known exactly: Max is h's if it grew, else the highest non-empty
// bucket's value; Min is the lowest non-empty bucket's value.
func (h Histogram) Sub(prev Histogram) Histogram {
	d := Histogram{
		Count:     h.Count - prev.Count,
		SumMicros: h.SumMicros - prev.SumMicros,
		Clamped:   h.Clamped - prev.Clamped,
	}
	j := 0
	for _, b := range h.Buckets {
		for j < len(prev.Buckets) && prev.Buckets[j][0] < b[0] {
			j++
		}
		n := b[1]
		if j < len(prev.Buckets) && prev.Buckets[j][0] == b[0] {
			n -= prev.Buckets[j][1]
		}
		if n > 0 {
			d.Buckets = append(d.Buckets, [2]int64{b[0], n})
		}
	}
	if len(d.Buckets) > 0 {
		d.MinMicros, _ = histLowest(int(d.Buckets[0][0]))
		d.MaxMicros = min(histValue(int(d.Buckets[len(d.Buckets)-1][0])), h.MaxMicros)
		if h.MaxMicros > prev.MaxMicros {
			d.MaxMicros = h.MaxMicros
		}
	}
	return d
}

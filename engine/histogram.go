package engine

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram bounds, in microseconds. Values below LowestMicros are
// recorded as LowestMicros; values above HighestMicros are recorded as
// HighestMicros and counted in [Stat.OutOfRange], never dropped.
const (
	LowestMicros  = 1
	HighestMicros = int64(60 * time.Second / time.Microsecond)
	// SignificantDigits is the histograms' precision: a recorded value is
	// exact to 1 part in 1000.
	SignificantDigits = 3
)

// ErrHistogram reports an encoded histogram that cannot be decoded or does
// not have soak's geometry.
var ErrHistogram = errors.New("engine: bad histogram")

// Histogram is an HDR histogram of latencies in microseconds, from
// [LowestMicros] to [HighestMicros] at [SignificantDigits] digits. It is
// sparse (github.com/HdrHistogram/hdrhistogram-go's PackedHistogram): its
// size grows with the populated buckets (a few KB), not with the range.
//
// The zero value is an empty histogram, ready to use. Merging is exact:
// merging histograms gives the same buckets as recording every value into
// one. A Histogram is not safe for concurrent mutation; concurrent reads
// are safe.
type Histogram struct {
	h *hdr.PackedHistogram
}

func newPacked() *hdr.PackedHistogram {
	return hdr.NewPacked(LowestMicros, HighestMicros, SignificantDigits)
}

func (h *Histogram) init() {
	if h.h == nil {
		h.h = newPacked()
	}
}

// Record adds one value, in microseconds, clamped to the histogram's range.
// It reports whether the value was above [HighestMicros].
func (h *Histogram) Record(us int64) (outOfRange bool) {
	h.init()
	if us > HighestMicros {
		us, outOfRange = HighestMicros, true
	}
	_ = h.h.RecordValue(max(us, LowestMicros)) // in range: cannot fail
	return outOfRange
}

// Merge adds every value of o to h. o may be nil or empty.
func (h *Histogram) Merge(o *Histogram) {
	if o == nil || o.h == nil || o.h.TotalCount() == 0 {
		return
	}
	h.init()
	h.h.Merge(o.h) // same geometry and counts far from overflow: exact
}

// Count is the number of recorded values.
func (h *Histogram) Count() int64 {
	if h == nil || h.h == nil {
		return 0
	}
	return h.h.TotalCount()
}

// Percentile returns the value at percentile p, a percent (0 < p <= 100:
// Percentile(95) is the 95th percentile), in microseconds: the highest
// value equivalent, within the histogram's precision, to the p-th
// recorded value. It is 0 when h is empty. [Histogram.Quantile] takes a
// fraction instead.
func (h *Histogram) Percentile(p float64) int64 {
	if h.Count() == 0 {
		return 0
	}
	return h.h.ValueAtPercentile(p)
}

// Quantile returns the value at quantile q, a fraction (0 < q <= 1:
// Quantile(0.95) is the 95th percentile), as a time.Duration (the
// histogram records microseconds). It is [Histogram.Percentile](100*q),
// and 0 when h is empty. A fraction, as probe.Histogram.Quantile takes.
func (h *Histogram) Quantile(q float64) time.Duration {
	return time.Duration(h.Percentile(100*q)) * time.Microsecond
}

// Min and Max return the smallest and largest recorded values within the
// histogram's precision, in microseconds (0 when empty). [Stat] keeps the
// exact ones.
func (h *Histogram) Min() int64 {
	if h.Count() == 0 {
		return 0
	}
	return h.h.Min()
}

// Max: see [Histogram.Min].
func (h *Histogram) Max() int64 {
	if h.Count() == 0 {
		return 0
	}
	return h.h.Max()
}

// Mean is the mean of the recorded values within the histogram's
// precision, in microseconds. [Stat.SumMicros] gives the exact mean.
func (h *Histogram) Mean() float64 {
	if h.Count() == 0 {
		return 0
	}
	return h.h.Mean()
}

// Buckets calls fn for every populated bucket in increasing order, with
// the bucket's value (the lowest value equivalent to it) in microseconds
// and its count, until fn returns false. It does not allocate.
func (h *Histogram) Buckets(fn func(us, count int64) bool) {
	if h.Count() == 0 {
		return
	}
	h.h.ForEachBucket(fn)
}

// Equal reports whether h and o hold the same counts in the same buckets.
func (h *Histogram) Equal(o *Histogram) bool {
	if h.Count() != o.Count() {
		return false
	}
	type bucket struct{ v, c int64 }
	var a []bucket
	h.Buckets(func(v, c int64) bool { a = append(a, bucket{v, c}); return true })
	i, same := 0, true
	o.Buckets(func(v, c int64) bool {
		same = i < len(a) && a[i] == bucket{v, c}
		i++
		return same
	})
	return same && i == len(a)
}

// Clone returns an independent copy of h.
func (h *Histogram) Clone() *Histogram {
	c := &Histogram{}
	c.Merge(h)
	return c
}

// Reset empties h, keeping its storage.
func (h *Histogram) Reset() {
	if h != nil && h.h != nil {
		h.h.Reset()
	}
}

// MarshalBinary encodes h in the HdrHistogram V2 compressed format, which
// Java, C and Go HdrHistogram readers understand.
func (h *Histogram) MarshalBinary() ([]byte, error) {
	h.init()
	return h.h.Encode()
}

// UnmarshalBinary decodes the V2 compressed format. It refuses histograms
// of another geometry, whose buckets would not merge exactly with soak's.
func (h *Histogram) UnmarshalBinary(b []byte) error {
	p, err := hdr.DecodePacked(b)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrHistogram, err)
	}
	if p.LowestTrackableValue() != LowestMicros || p.HighestTrackableValue() < HighestMicros ||
		p.SignificantFigures() != SignificantDigits {
		return fmt.Errorf("%w: geometry %d..%d at %d digits, want %d..%d at %d", ErrHistogram,
			p.LowestTrackableValue(), p.HighestTrackableValue(), p.SignificantFigures(),
			LowestMicros, HighestMicros, SignificantDigits)
	}
	fresh := newPacked()
	if dropped := fresh.Merge(p); dropped != 0 {
		return fmt.Errorf("%w: %d values out of range", ErrHistogram, dropped)
	}
	h.h = fresh
	return nil
}

// MarshalJSON encodes h as a JSON string: the base64 of MarshalBinary.
func (h *Histogram) MarshalJSON() ([]byte, error) {
	b, err := h.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return json.Marshal(base64.StdEncoding.EncodeToString(b))
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (h *Histogram) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("%w: not a base64 string", ErrHistogram)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrHistogram, err)
	}
	return h.UnmarshalBinary(b)
}

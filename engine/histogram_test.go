package engine

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

func TestHistogramZeroValue(t *testing.T) {
	var h Histogram
	if h.Count() != 0 || h.Percentile(99) != 0 || h.Min() != 0 || h.Max() != 0 || h.Mean() != 0 {
		t.Fatal("zero Histogram is not empty")
	}
	var nilH *Histogram
	if nilH.Count() != 0 || nilH.Percentile(50) != 0 {
		t.Fatal("nil Histogram is not empty")
	}
	h.Record(1500)
	if h.Count() != 1 || h.Percentile(50) < 1499 || h.Percentile(50) > 1501 {
		t.Fatalf("after Record(1500): count %d p50 %d", h.Count(), h.Percentile(50))
	}
}

// Values beyond the range are clamped and reported, never dropped.
func TestHistogramOutOfRange(t *testing.T) {
	var h Histogram
	if !h.Record(HighestMicros + 1) {
		t.Fatal("Record above HighestMicros did not report out of range")
	}
	if h.Record(0) || h.Record(-5) {
		t.Fatal("values below 1 µs are in range (clamped up)")
	}
	if h.Count() != 3 || h.Max() < HighestMicros-HighestMicros/1000 {
		t.Fatalf("count %d max %d", h.Count(), h.Max())
	}
}

// Merging is exact: two histograms merged hold the same buckets as one
// that recorded every value.
func TestHistogramMergeIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var a, b, all Histogram
	for i := range 50000 {
		v := int64(r.ExpFloat64()*5000) + 1
		if i%97 == 0 {
			v *= 1000
		}
		if i%2 == 0 {
			a.Record(v)
		} else {
			b.Record(v)
		}
		all.Record(v)
	}
	m := a.Clone()
	m.Merge(&b)
	if !m.Equal(&all) {
		t.Fatal("merged histogram differs from the one that recorded everything")
	}
	for _, p := range []float64{50, 90, 95, 99, 99.9, 100} {
		if m.Percentile(p) != all.Percentile(p) {
			t.Fatalf("p%v: merged %d, all %d", p, m.Percentile(p), all.Percentile(p))
		}
	}
	if a.Equal(&all) {
		t.Fatal("Equal does not tell different histograms apart")
	}
}

func TestHistogramEncodingRoundTrip(t *testing.T) {
	var h Histogram
	for _, v := range []int64{1, 2, 999, 1000, 1001, 123456, HighestMicros} {
		h.Record(v)
	}
	b, err := json.Marshal(&h)
	if err != nil {
		t.Fatal(err)
	}
	var back Histogram
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !back.Equal(&h) {
		t.Fatal("JSON round trip changed the histogram")
	}
	var empty, emptyBack Histogram
	b, _ = json.Marshal(&empty)
	if err := json.Unmarshal(b, &emptyBack); err != nil || emptyBack.Count() != 0 {
		t.Fatalf("empty round trip: %v, count %d", err, emptyBack.Count())
	}
}

// A histogram of another geometry would not merge exactly: refused.
func TestHistogramRefusesOtherGeometry(t *testing.T) {
	other := hdr.New(1, 1000, 2)
	other.RecordValue(5)
	b, err := other.Encode(hdr.V2CompressedEncodingCookieBase)
	if err != nil {
		t.Fatal(err)
	}
	var h Histogram
	if err := h.UnmarshalBinary(b); !errors.Is(err, ErrHistogram) {
		t.Fatalf("UnmarshalBinary(other geometry) = %v, want ErrHistogram", err)
	}
	for _, bad := range []string{`1`, `"!!"`, `"AAAA"`} {
		if err := json.Unmarshal([]byte(bad), &h); err == nil {
			t.Errorf("Unmarshal(%s) succeeded", bad)
		}
	}
}

func FuzzHistogramUnmarshal(f *testing.F) {
	var h Histogram
	h.Record(100)
	h.Record(HighestMicros)
	b, _ := h.MarshalBinary()
	f.Add(b)
	f.Add([]byte{0x1c, 0x84, 0x93, 0x14, 0, 0, 0, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var h Histogram
		if h.UnmarshalBinary(b) != nil {
			return
		}
		again, err := h.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back Histogram
		if err := back.UnmarshalBinary(again); err != nil || !back.Equal(&h) {
			t.Fatalf("re-encoding does not round trip: %v", err)
		}
	})
}

// Quantile takes a fraction and Percentile a percent: the same point of
// the distribution, one as a Duration, one in microseconds.
func TestQuantileIsAFraction(t *testing.T) {
	var h Histogram
	for v := int64(1); v <= 1000; v++ {
		h.Record(v * 1000) // 1 ms to 1 s
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Millisecond}, {0.95, 950 * time.Millisecond}, {0.99, 990 * time.Millisecond}, {1, time.Second}} {
		got := h.Quantile(c.q)
		if got != time.Duration(h.Percentile(100*c.q))*time.Microsecond {
			t.Errorf("Quantile(%v) = %v, Percentile(%v) = %d µs", c.q, got, 100*c.q, h.Percentile(100*c.q))
		}
		if d := got - c.want; d < 0 || d > c.want/500 { // within the histogram's 3 digits
			t.Errorf("Quantile(%v) = %v, want about %v", c.q, got, c.want)
		}
	}
	if got := (&Histogram{}).Quantile(0.99); got != 0 {
		t.Errorf("empty: %v", got)
	}
}

package probe

import (
	"math/rand/v2"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

func TestHistGeometryMatchesHDR(t *testing.T) {
	if histCountsLen != histRows*rowLen {
		t.Fatalf("HDR counts length %d, rows cover %d", histCountsLen, histRows*rowLen)
	}
	ref := hdrhistogram.New(HistLowestMicros, HistHighestMicros, HistSignificantFigures)
	var h Latency
	rng := rand.New(rand.NewPCG(1, 2))
	values := []int64{0, 1, 127, 128, 255, 256, 257, 1000, 65535, HistHighestMicros}
	for i := 0; i < 20000; i++ {
		values = append(values, rng.Int64N(HistHighestMicros>>uint(rng.IntN(30))+1))
	}
	for _, v := range values {
		if err := ref.RecordValue(v); err != nil {
			t.Fatalf("hdr refuses %d: %v", v, err)
		}
		h.Record(time.Duration(v) * time.Microsecond)
	}
	want := ref.Export().Counts
	got := h.Snapshot()
	dense := make([]int64, len(want))
	for _, b := range got.Buckets {
		dense[b[0]] = b[1]
	}
	for i := range want {
		if want[i] != dense[i] {
			t.Fatalf("index %d (value %d): got %d, hdr %d", i, histValue(i), dense[i], want[i])
		}
	}
	for _, q := range []float64{0, 0.5, 0.9, 0.99, 0.999, 1} {
		// Quantile caps at the recorded maximum; HDR reports the top of
		// the maximum's bucket.
		w := time.Duration(min(ref.ValueAtQuantile(q*100), got.MaxMicros)) * time.Microsecond
		if g := got.Quantile(q); g != w {
			t.Errorf("Quantile(%v) = %v, hdr %v", q, g, w)
		}
	}
	if got.HDR().TotalCount() != int64(len(values)) || got.Count != int64(len(values)) {
		t.Errorf("counts: HDR %d, Count %d, want %d", got.HDR().TotalCount(), got.Count, len(values))
	}
}

func TestHistClampAndMinMax(t *testing.T) {
	var h Latency
	h.Record(-time.Second)
	h.Record(2 * time.Hour)
	h.Record(5 * time.Millisecond)
	s := h.Snapshot()
	if s.Clamped != 1 || s.MinMicros != 0 || s.MaxMicros != HistHighestMicros || s.Count != 3 {
		t.Fatalf("snapshot = %+v", s)
	}
	var empty Latency
	if e := empty.Snapshot(); e.Count != 0 || e.Quantile(0.5) != 0 || e.Mean() != 0 || len(e.Buckets) != 0 {
		t.Fatalf("empty snapshot = %+v", e)
	}
}

func TestHistogramSub(t *testing.T) {
	var h Latency
	for i := 0; i < 100; i++ {
		h.Record(time.Millisecond)
	}
	a := h.Snapshot()
	for i := 0; i < 50; i++ {
		h.Record(10 * time.Millisecond)
	}
	h.Record(time.Millisecond)
	d := h.Snapshot().Sub(a)
	if d.Count != 51 {
		t.Fatalf("interval count = %d, want 51", d.Count)
	}
	if q := d.Quantile(0.5); q < 9900*time.Microsecond || q > 10100*time.Microsecond {
		t.Errorf("interval median = %v, want ~10ms", q)
	}
	if d.MaxMicros != 10000 || d.MinMicros > 1000 || d.MinMicros < 990 {
		t.Errorf("interval min/max = %d/%d", d.MinMicros, d.MaxMicros)
	}
	if d.HDR().TotalCount() != 51 {
		t.Errorf("interval HDR total = %d", d.HDR().TotalCount())
	}
}

func TestHistRecordAllocs(t *testing.T) {
	var h Latency
	h.Record(time.Millisecond)
	if n := testing.AllocsPerRun(1000, func() { h.Record(time.Millisecond) }); n != 0 {
		t.Errorf("record allocates %v times", n)
	}
}

func BenchmarkHistRecord(b *testing.B) {
	var h Latency
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		d := time.Duration(0)
		for pb.Next() {
			d += 997 * time.Nanosecond
			h.Record(d % (50 * time.Millisecond))
		}
	})
}

// TestQuantileIsAFraction: Quantile takes a fraction; a percent passed by
// mistake is clamped to the maximum, never read as one.
func TestQuantileIsAFraction(t *testing.T) {
	var h Latency
	for i := 1; i <= 100; i++ {
		h.Record(time.Duration(i) * time.Millisecond)
	}
	s := h.Snapshot()
	if q := s.Quantile(0.5); q < 49*time.Millisecond || q > 51*time.Millisecond {
		t.Errorf("Quantile(0.5) = %v, want about 50ms", q)
	}
	if q := s.Quantile(99); q != 100*time.Millisecond {
		t.Errorf("Quantile(99) = %v, want the maximum, 100ms", q)
	}
}

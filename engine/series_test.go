package engine

import (
	"cmp"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/soaklab/soak/internal/testenv"
)

var t0 = time.Date(2026, 2, 18, 10, 0, 0, 0, time.UTC)

// mkInterval builds interval seq (1 s wide) with n requests of random
// latency on two names, some failures and 429s, and an error.
func mkInterval(seq int, r *rand.Rand, n int) *Interval {
	iv := &Interval{Seq: seq, Span: 1, Start: t0.Add(time.Duration(seq) * time.Second),
		End: t0.Add(time.Duration(seq+1) * time.Second), Users: 10 + seq%3, MaxUsers: 12,
		Classes: map[string]int{"A": 7, "B": 3}, CPU: 10 * time.Millisecond}
	var a, b Stat
	a.Method, a.Name = "GET", "/a"
	b.Method, b.Name = "POST", "/b"
	for i := range n {
		us := int64(r.ExpFloat64()*3000) + 1
		switch i % 10 {
		case 0:
			b.record(us, 10, KindStatus5xx, true, false)
		case 1:
			b.record(us, 0, 0, false, true)
		default:
			a.record(us, 100, 0, false, false)
		}
	}
	iv.Stats = []Stat{a, b}
	iv.Errors = []ErrorStat{{Method: "POST", Name: "/b", Kind: KindStatus5xx, Error: "HTTP 500 Internal Server Error",
		Count: b.Failures(), First: iv.Start, Last: iv.End}}
	iv.Schedule = Schedule{Arrivals: int64(n), Started: int64(n), Late: 1, SumLagMicros: 50, MaxLagMicros: int64(seq), Workers: 4, PeakWorkers: 5}
	return iv
}

func mkSeries(n int) []*Interval {
	r := rand.New(rand.NewPCG(9, uint64(n)))
	ivs := make([]*Interval, n)
	for i := range ivs {
		ivs[i] = mkInterval(i, r, 20+r.IntN(20))
	}
	return ivs
}

// sameCounts compares two spans' stats exactly, histograms included.
func sameCounts(t *testing.T, what string, a, b *Interval) {
	t.Helper()
	if len(a.Stats) != len(b.Stats) {
		t.Fatalf("%s: %d stats vs %d", what, len(a.Stats), len(b.Stats))
	}
	for i := range a.Stats {
		x, y := &a.Stats[i], &b.Stats[i]
		if x.Method != y.Method || x.Name != y.Name || x.Requests != y.Requests || x.Kinds != y.Kinds ||
			x.RateLimited != y.RateLimited || x.Bytes != y.Bytes || x.SumMicros != y.SumMicros ||
			x.MinMicros != y.MinMicros || x.MaxMicros != y.MaxMicros || !x.Latency.Equal(y.Latency) {
			t.Fatalf("%s: stat %d differs:\n%+v\n%+v", what, i, x, y)
		}
	}
	if a.Schedule.Arrivals != b.Schedule.Arrivals || a.Schedule.MaxLagMicros != b.Schedule.MaxLagMicros || a.CPU != b.CPU {
		t.Fatalf("%s: schedule or CPU differs: %+v %v vs %+v %v", what, a.Schedule, a.CPU, b.Schedule, b.CPU)
	}
}

// The seed's windows (0-10, 10-20, 20-30 min) computed afterwards merge
// back into exactly the whole run.
func TestWindowsMergeExactly(t *testing.T) {
	ivs := mkSeries(1800)
	w1, w2, w3 := Window(ivs[:600]...), Window(ivs[600:1200]...), Window(ivs[1200:]...)
	whole := Window(ivs...)
	sameCounts(t, "windows merged", Window(w1, w2, w3), whole)
	if w2.Seq != 600 || w2.Span != 600 || !w2.Start.Equal(ivs[600].Start) || !w2.End.Equal(ivs[1199].End) {
		t.Fatalf("window 2 covers seq %d span %d %v..%v", w2.Seq, w2.Span, w2.Start, w2.End)
	}
	if w3.Users != ivs[1799].Users || w3.MaxUsers != 12 {
		t.Fatalf("window users %d max %d", w3.Users, w3.MaxUsers)
	}
	var n int64
	for _, iv := range ivs {
		n += iv.Stats[0].Requests + iv.Stats[1].Requests
	}
	if tot := whole.Total(); tot.Requests != n || tot.Name != AggregatedName {
		t.Fatalf("total %d requests (%q), want %d", tot.Requests, tot.Name, n)
	}
	if e := whole.Errors; len(e) != 1 || !e[0].First.Equal(ivs[0].Start) || !e[0].Last.Equal(ivs[1799].End) {
		t.Fatalf("errors %+v", e)
	}
	for _, iv := range ivs { // inputs untouched
		if iv.Span != 1 {
			t.Fatal("Window modified an input")
		}
	}
	if Window() != nil {
		t.Fatal("Window() is not nil")
	}
}

// Two engines measuring the same span merge exactly with Add.
func TestAddTwoEngines(t *testing.T) {
	a, b := mkSeries(20), mkSeries(21)[1:] // different data, same spans shifted by one
	var merged Interval
	for i := range a {
		merged.Add(a[i], 0)
		merged.Add(b[i], 0)
	}
	var one Interval
	for _, iv := range append(append([]*Interval{}, b...), a...) {
		one.Add(iv, 0)
	}
	sameCounts(t, "Add in two orders", &merged, &one)
	if merged.Users != sumUsers(a)+sumUsers(b) {
		t.Fatalf("users %d", merged.Users)
	}
}

func sumUsers(ivs []*Interval) (n int) {
	for _, iv := range ivs {
		n += iv.Users
	}
	return n
}

// The in-memory series stays bounded over a long run, and its coarse
// intervals and total are exact: 2176 intervals with Max 45 end as 34 of
// width 64 (the arithmetic of 24 hours at 1 s with the default 1800, which
// TestSeriesDay runs).
func TestSeriesBounded(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	seriesBounded(t, 45, 64*34, func(i int) *Interval { return mkInterval(i, r, 3) })
}

// A 24-hour run at 1 s with the default bound: 1350 intervals of 64 s.
// Each interval holds one request of a fixed latency, so that the test
// spends its time in the series, not in merging wide histograms.
func TestSeriesDay(t *testing.T) {
	testenv.SkipUnlessLong(t)
	seriesBounded(t, 0, 24*3600, func(i int) *Interval {
		iv := &Interval{Seq: i, Span: 1, Start: t0.Add(time.Duration(i) * time.Second), End: t0.Add(time.Duration(i+1) * time.Second)}
		st := Stat{Method: "GET", Name: "/health"}
		st.record(int64(100+i%7), 10, 0, false, false)
		iv.Stats = []Stat{st}
		return iv
	})
}

func seriesBounded(t *testing.T, maxKept, n int, mk func(i int) *Interval) {
	s := Series{Max: maxKept}
	var all Interval
	limit := cmp.Or(maxKept, DefaultMaxIntervals)
	for i := range n {
		iv := mk(i)
		all.appendSpan(iv, 0)
		s.Add(iv)
		if k := len(s.Intervals()); k > limit+1 {
			t.Fatalf("after %d intervals the series holds %d", i+1, k)
		}
	}
	ivs := s.Intervals()
	if s.Width() != 64 || len(ivs) != n/64 {
		t.Fatalf("width %d, %d intervals; want 64 and %d", s.Width(), len(ivs), n/64)
	}
	for i, iv := range ivs {
		if iv.Span != 64 || iv.Seq != i*64 {
			t.Fatalf("interval %d: seq %d span %d", i, iv.Seq, iv.Span)
		}
	}
	sameCounts(t, "total", s.Total(), &all)
	sameCounts(t, "coarse series re-merged", Window(ivs...), &all)
}

func TestSeriesSmallMax(t *testing.T) {
	s := Series{Max: 3}
	ivs := mkSeries(11)
	for _, iv := range ivs {
		s.Add(iv)
	}
	got := s.Intervals()
	// widths: 4,4 kept, then a pending group of 3
	if s.Width() != 4 || len(got) != 3 || got[2].Span != 3 {
		t.Fatalf("width %d, %d intervals, last span %d", s.Width(), len(got), got[len(got)-1].Span)
	}
	sameCounts(t, "small series", Window(got...), Window(ivs...))
}

package stripe

import (
	"sync"
	"testing"
)

func TestCount(t *testing.T) {
	for _, c := range []struct{ procs, want int }{{1, 1}, {2, 2}, {3, 4}, {8, 8}, {9, 16}, {64, Max}} {
		if got := count(c.procs); got != c.want {
			t.Errorf("count(%d) = %d, want %d", c.procs, got, c.want)
		}
	}
	if Count&(Count-1) != 0 || Count < 1 || Count > Max {
		t.Errorf("Count = %d, want a power of two in 1..%d", Count, Max)
	}
}

// Adds from many goroutines at once, positive and negative, on whatever
// stripes they get, sum exactly.
func TestInt64Sums(t *testing.T) {
	c := NewInt64()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10_000 {
				if i := Index(); i < 0 || i >= Count {
					t.Errorf("Index() = %d, want 0..%d", i, Count-1)
					return
				}
				c.Add(int64(g + 1))
				c.AddAt(i%Count, -1)
			}
		}()
	}
	wg.Wait()
	want := int64(0)
	for g := range 8 {
		want += int64(g+1)*10_000 - 10_000
	}
	if got := c.Load(); got != want {
		t.Errorf("Load() = %d, want %d", got, want)
	}
}

func BenchmarkIndex(b *testing.B) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = Index()
		}
	})
}

package pprofsite

import (
	"bytes"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"

	"github.com/soaklab/soak/probe"
)

// profileNow is this process's profile of kind (pprof proto), after a GC
// for the heap, as the in-process source takes it.
func profileNow(t testing.TB, kind string) []byte {
	t.Helper()
	if kind == probe.ProfileHeap {
		runtime.GC()
	}
	var b bytes.Buffer
	if err := pprof.Lookup(kind).WriteTo(&b, 0); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sink keeps what allocate allocates, for the heap-diff test.
var sink [][]byte

//go:noinline
func allocateForTest(n int) {
	for range n {
		sink = append(sink, make([]byte, 64<<10))
	}
}

func TestHeapGrowthNamesTheGrowingSite(t *testing.T) {
	old := runtime.MemProfileRate
	runtime.MemProfileRate = 4096
	t.Cleanup(func() { runtime.MemProfileRate = old; sink = nil })
	base := profileNow(t, probe.ProfileHeap)
	allocateForTest(64) // 4 MB
	end := profileNow(t, probe.ProfileHeap)
	sus, total, err := HeapGrowth(base, end, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(sus) == 0 || !strings.HasSuffix(sus[0].Function, ".allocateForTest") || !strings.HasSuffix(sus[0].File, "heap_test.go") || sus[0].Line == 0 {
		t.Fatalf("top suspect %+v", sus)
	}
	if sus[0].Value < 3<<20 || sus[0].Value > 6<<20 || total < sus[0].Value || sus[0].Share <= 0.5 {
		t.Errorf("growth %d of %d (share %v), want about 4 MB", sus[0].Value, total, sus[0].Share)
	}
}

func TestGoroutineStacks(t *testing.T) {
	stop := make(chan struct{})
	done := make(chan struct{})
	for range 3 {
		go func() { parkForTest(stop); done <- struct{}{} }()
	}
	t.Cleanup(func() {
		close(stop)
		for range 3 {
			<-done
		}
	})
	var st map[string]*Stack
	for range 100 { // until the three goroutines are parked
		var err error
		if st, err = GoroutineStacks(profileNow(t, probe.ProfileGoroutine)); err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, sc := range st {
			if strings.HasSuffix(sc.Site.Function, ".parkForTest") {
				n += sc.Count
			}
		}
		if n == 3 {
			return
		}
		runtime.Gosched()
	}
	t.Fatalf("parkForTest goroutines not found in %d stacks", len(st))
}

//go:noinline
func parkForTest(stop chan struct{}) { <-stop }

func FuzzHeapGrowth(f *testing.F) {
	p := profileNow(f, probe.ProfileHeap)
	f.Add(p, p)
	f.Add([]byte("garbage"), p)
	f.Fuzz(func(t *testing.T, a, b []byte) {
		sus, total, err := HeapGrowth(a, b, 5)
		if err != nil {
			return
		}
		var sum int64
		for _, s := range sus {
			if s.Value <= 0 || s.Unit != "bytes" {
				t.Fatalf("suspect %+v", s)
			}
			sum += s.Value
		}
		if sum > total {
			t.Fatalf("suspects hold %d of %d", sum, total)
		}
		_, _ = GoroutineStacks(a)
		_ = bytes.Equal(a, b)
	})
}

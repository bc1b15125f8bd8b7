package analysis

import (
	"bytes"
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/soaklab/soak/probe"
)

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
	ctx := context.Background()
	base, err := captureProfile(ctx, probe.ProfileHeap)
	if err != nil {
		t.Fatal(err)
	}
	allocateForTest(64) // 4 MB
	end, err := captureProfile(ctx, probe.ProfileHeap)
	if err != nil {
		t.Fatal(err)
	}
	sus, total, err := HeapGrowth(base, end, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(sus) == 0 || !strings.HasSuffix(sus[0].Function, ".allocateForTest") || !strings.HasSuffix(sus[0].File, "profdiff_test.go") || sus[0].Line == 0 {
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
	var st map[string]*stackCount
	for range 100 { // until the three goroutines are parked
		data, err := captureProfile(context.Background(), probe.ProfileGoroutine)
		if err != nil {
			t.Fatal(err)
		}
		if st, err = goroutineStacks(data); err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, sc := range st {
			if strings.HasSuffix(sc.site.fn, ".parkForTest") {
				n += sc.count
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

func TestCaptureProfileErrors(t *testing.T) {
	if _, err := captureProfile(context.Background(), "cpu"); err == nil {
		t.Error("unknown profile kind accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := captureProfile(ctx, probe.ProfileHeap); err == nil {
		t.Error("cancelled capture succeeded")
	}
}

func FuzzHeapGrowth(f *testing.F) {
	p, err := captureProfile(context.Background(), probe.ProfileHeap)
	if err != nil {
		f.Fatal(err)
	}
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
		_, _ = goroutineStacks(a)
		_ = bytes.Equal(a, b)
	})
}

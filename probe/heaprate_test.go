package probe

import (
	"bytes"
	"context"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

var retainedForHeapTest [][]byte

//go:noinline
func retainForHeapTest(n, size int) {
	for range n {
		retainedForHeapTest = append(retainedForHeapTest, make([]byte, size))
	}
}

// inuseBytes is the in-use bytes a heap profile attributes to stacks
// through fn.
func inuseBytes(t *testing.T, fn string) int64 {
	t.Helper()
	runtime.GC()
	var b bytes.Buffer
	if err := pprof.Lookup("heap").WriteTo(&b, 0); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Parse(&b)
	if err != nil {
		t.Fatal(err)
	}
	idx := -1
	for i, st := range p.SampleType {
		if st.Type == "inuse_space" {
			idx = i
		}
	}
	var sum int64
	for _, s := range p.Sample {
		for _, loc := range s.Location {
			if len(loc.Line) > 0 && strings.HasSuffix(loc.Line[0].Function.Name, fn) {
				sum += s.Value[idx]
				break
			}
		}
	}
	return sum
}

func TestWithHeapProfileRate(t *testing.T) {
	old := runtime.MemProfileRate
	t.Cleanup(func() { runtime.MemProfileRate = old; retainedForHeapTest = nil })
	runtime.MemProfileRate = DefaultHeapProfileRate

	p := New(WithHeapProfileRate(16 << 10))
	snap, err := p.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if runtime.MemProfileRate != 16<<10 || snap.Runtime.HeapProfileRateBytes != 16<<10 {
		t.Fatalf("rate %d, snapshot %d, want 16 KiB", runtime.MemProfileRate, snap.Runtime.HeapProfileRateBytes)
	}
	// A coarser rate asked later does not undo the finer one.
	New(WithHeapProfileRate(DefaultHeapProfileRate))
	if runtime.MemProfileRate != 16<<10 {
		t.Errorf("rate coarsened to %d", runtime.MemProfileRate)
	}
	// A probe without the option leaves the rate alone.
	New()
	if runtime.MemProfileRate != 16<<10 {
		t.Errorf("a probe without the option set the rate to %d", runtime.MemProfileRate)
	}
	// At 16 KiB, 4 MiB retained in 8 KiB pieces rests on about 256
	// samples: the profile's estimate is within 25 % of the truth.
	const n, size = 512, 8 << 10
	retainForHeapTest(n, size)
	got := inuseBytes(t, ".retainForHeapTest")
	if want := int64(n * size); got < want*3/4 || got > want*5/4 {
		t.Errorf("heap profile: %d bytes in retainForHeapTest, want about %d", got, want)
	}
	runtime.KeepAlive(retainedForHeapTest)
}

func TestWithHeapProfileRateRefusesZero(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(error).Error(), "WithHeapProfileRate(0)") {
			t.Errorf("panic %v, want one naming WithHeapProfileRate(0)", r)
		}
	}()
	New(WithHeapProfileRate(0))
}

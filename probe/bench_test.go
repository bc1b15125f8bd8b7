package probe

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/soaklab/soak/internal/testenv"
)

// atDepth calls f with about n extra frames on the stack, as a handler
// behind a router and middleware would.
//
//go:noinline
func atDepth(n int, f func()) {
	if n <= 0 {
		f()
		return
	}
	atDepth(n-1, f)
}

// BenchmarkStackCapture is one stack capture at a handler's depth: the
// probe's (frame pointers on amd64) beside runtime.Callers into the same
// fixed array, the way it was done before.
func BenchmarkStackCapture(b *testing.B) {
	b.Run("probe", func(b *testing.B) {
		var st stackTable
		st.init(DefaultMaxStacks, DefaultStackDepth, 1, true)
		b.ReportAllocs()
		atDepth(25, func() {
			b.ResetTimer()
			defer testenv.CPUPerOp(b)()
			for b.Loop() {
				st.capture(0)
			}
		})
	})
	b.Run("runtime.Callers", func(b *testing.B) {
		var buf [DefaultStackDepth]uintptr
		b.ReportAllocs()
		atDepth(25, func() {
			b.ResetTimer()
			defer testenv.CPUPerOp(b)()
			for b.Loop() {
				n := runtime.Callers(2, buf[:])
				_ = hashPCs(buf[:n])
			}
		})
	})
}

var allocSink []byte

// BenchmarkHeapProfileRate is the cost of heap sampling per allocation of
// 1 KiB: at the runtime's 512 KiB and at the 16 KiB of
// WithHeapProfileRate(16 << 10), side by side.
func BenchmarkHeapProfileRate(b *testing.B) {
	for _, rate := range []int{DefaultHeapProfileRate, 16 << 10} {
		b.Run(fmt.Sprintf("rate=%dKiB", rate>>10), func(b *testing.B) {
			old := runtime.MemProfileRate
			runtime.MemProfileRate = rate
			defer func() { runtime.MemProfileRate = old }()
			b.ReportAllocs()
			atDepth(25, func() {
				b.ResetTimer()
				defer testenv.CPUPerOp(b)()
				for b.Loop() {
					allocSink = make([]byte, 1024)
				}
			})
		})
	}
}

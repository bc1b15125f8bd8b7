package probe

import (
	"runtime"
	"sync"
)

// DefaultHeapProfileRate is the Go runtime's own heap sampling interval
// (runtime.MemProfileRate): one sampled allocation per 512 KiB allocated,
// on average.
const DefaultHeapProfileRate = 512 << 10

// heapRateMu serialises the probe's reads and writes of the process-wide
// runtime.MemProfileRate.
var heapRateMu sync.Mutex

// WithHeapProfileRate makes the heap and allocs profiles sample one
// allocation per bytes allocated on average, instead of the runtime's
// [DefaultHeapProfileRate] (512 KiB): [New] sets runtime.MemProfileRate,
// which is process-wide. It never coarsens a finer rate the program
// already set (a lower MemProfileRate is kept), and 0 < bytes.
//
// A soak of a few minutes diffs two heap profiles to find what grew; at
// 512 KiB a leak of a few MB rests on a handful of samples, at 16 KiB on
// hundreds. The cost is one stack unwind per sample: at 16 KiB and 50 MB
// allocated per second, about 3,000 unwinds a second, a fraction of a
// percent of one core (docs/performance.md). Create the probe early in
// main: allocations made before are sampled at the old rate. The
// runtime's documentation asks that the rate be changed once, early;
// the probe sets it at most once per New.
func WithHeapProfileRate(bytes int) Option {
	return optionFunc(func(o *options) { o.pos("WithHeapProfileRate", &o.heapRate, bytes) })
}

// applyHeapProfileRate lowers runtime.MemProfileRate to bytes (0: leave
// it).
func applyHeapProfileRate(bytes int) {
	if bytes <= 0 {
		return
	}
	heapRateMu.Lock()
	defer heapRateMu.Unlock()
	if runtime.MemProfileRate == 0 || bytes < runtime.MemProfileRate {
		runtime.MemProfileRate = bytes
	}
}

// heapProfileRate reads runtime.MemProfileRate.
func heapProfileRate() int {
	heapRateMu.Lock()
	defer heapRateMu.Unlock()
	return runtime.MemProfileRate
}

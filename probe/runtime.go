package probe

import (
	"math"
	"runtime"
	"runtime/metrics"
	"sync"
)

// RuntimeSnapshot holds the Go runtime's figures from runtime/metrics.
// Fields marked cumulative count since the process started; the others are
// gauges. Unavailable names the metrics this Go version does not provide
// (their fields stay 0).
type RuntimeSnapshot struct {
	GoVersion  string `json:"go_version"`
	GOOS       string `json:"goos"`
	GOARCH     string `json:"goarch"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	NumCPU     int    `json:"num_cpu"`

	Goroutines         int64  `json:"goroutines"`
	GoroutinesRunning  int64  `json:"goroutines_running"`
	GoroutinesRunnable int64  `json:"goroutines_runnable"`
	GoroutinesWaiting  int64  `json:"goroutines_waiting"`
	GoroutinesNotInGo  int64  `json:"goroutines_not_in_go"`
	GoroutinesCreated  uint64 `json:"goroutines_created"` // cumulative
	Threads            int64  `json:"threads"`

	// LiveHeapBytes is the heap marked live by the last GC: the figure a
	// leak detector should trend (RSS and HeapAlloc include garbage).
	LiveHeapBytes    uint64 `json:"live_heap_bytes"`
	HeapObjectsBytes uint64 `json:"heap_objects_bytes"` // live + unswept garbage
	HeapGoalBytes    uint64 `json:"heap_goal_bytes"`
	StackBytes       uint64 `json:"stack_bytes"`
	// TotalMemoryBytes is all memory mapped by the Go runtime.
	TotalMemoryBytes uint64 `json:"total_memory_bytes"`
	ReleasedBytes    uint64 `json:"released_bytes"` // returned to the OS
	// HeapProfileRateBytes is runtime.MemProfileRate: heap and allocs
	// profiles sample one allocation per this many bytes on average (0:
	// heap profiling is off). See [WithHeapProfileRate].
	HeapProfileRateBytes int   `json:"heap_profile_rate_bytes"`
	GOGCPercent          int64 `json:"gogc_percent"`
	MemoryLimitBytes     int64 `json:"memory_limit_bytes"` // GOMEMLIMIT

	AllocBytes       uint64  `json:"alloc_bytes"`        // cumulative
	AllocObjects     uint64  `json:"alloc_objects"`      // cumulative
	GCCycles         uint64  `json:"gc_cycles"`          // cumulative
	GCCPUSeconds     float64 `json:"gc_cpu_seconds"`     // cumulative
	GoCPUSeconds     float64 `json:"go_cpu_seconds"`     // cumulative, all classes incl. idle
	UserCPUSeconds   float64 `json:"user_cpu_seconds"`   // cumulative, Go code
	MutexWaitSeconds float64 `json:"mutex_wait_seconds"` // cumulative
	// GCCPUFraction is GCCPUSeconds / GoCPUSeconds since the start; for an
	// interval, divide the differences instead.
	GCCPUFraction float64 `json:"gc_cpu_fraction"`

	// GCPauses is the distribution of stop-the-world GC pauses, and
	// SchedLatency the time goroutines spent runnable before running;
	// both cumulative, in seconds.
	GCPauses     SecondsHistogram `json:"gc_pauses"`
	SchedLatency SecondsHistogram `json:"sched_latency"`

	Unavailable []string `json:"unavailable,omitempty"`
}

// SecondsHistogram is a runtime/metrics histogram: Buckets holds the
// non-empty buckets as [upper bound in seconds, count] pairs in ascending
// order (the runtime's bucket boundaries; +Inf is reported as
// math.MaxFloat64). Counts are cumulative.
type SecondsHistogram struct {
	Count   uint64       `json:"count"`
	Buckets [][2]float64 `json:"buckets,omitempty"`
}

// Quantile returns the upper bound of the bucket holding quantile q, a
// fraction from 0 to 1 (0.99 for the 99th percentile), or 0 when empty.
func (h SecondsHistogram) Quantile(q float64) float64 {
	if h.Count == 0 || math.IsNaN(q) {
		return 0
	}
	rank := math.Max(1, math.Ceil(min(max(q, 0), 1)*float64(h.Count)))
	var seen float64
	for _, b := range h.Buckets {
		seen += b[1]
		if seen >= rank {
			return b[0]
		}
	}
	return h.Buckets[len(h.Buckets)-1][0]
}

var runtimeMetricNames = []string{
	"/sched/goroutines:goroutines",
	"/sched/goroutines/running:goroutines",
	"/sched/goroutines/runnable:goroutines",
	"/sched/goroutines/waiting:goroutines",
	"/sched/goroutines/not-in-go:goroutines",
	"/sched/goroutines-created:goroutines",
	"/sched/threads/total:threads",
	"/gc/heap/live:bytes",
	"/memory/classes/heap/objects:bytes",
	"/gc/heap/goal:bytes",
	"/memory/classes/heap/stacks:bytes",
	"/memory/classes/total:bytes",
	"/memory/classes/heap/released:bytes",
	"/gc/gogc:percent",
	"/gc/gomemlimit:bytes",
	"/gc/heap/allocs:bytes",
	"/gc/heap/allocs:objects",
	"/gc/cycles/total:gc-cycles",
	"/cpu/classes/gc/total:cpu-seconds",
	"/cpu/classes/total:cpu-seconds",
	"/cpu/classes/user:cpu-seconds",
	"/sync/mutex/wait/total:seconds",
	"/sched/pauses/total/gc:seconds",
	"/sched/latencies:seconds",
}

type runtimeReader struct {
	mu      sync.Mutex
	samples []metrics.Sample
}

func (r *runtimeReader) read() RuntimeSnapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.samples == nil {
		r.samples = make([]metrics.Sample, len(runtimeMetricNames))
		for i, n := range runtimeMetricNames {
			r.samples[i].Name = n
		}
	}
	metrics.Read(r.samples)
	s := RuntimeSnapshot{
		GoVersion:  runtime.Version(),
		GOOS:       runtime.GOOS,
		GOARCH:     runtime.GOARCH,
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		NumCPU:     runtime.NumCPU(),

		HeapProfileRateBytes: heapProfileRate(),
	}
	u := func(i int) uint64 { return pick(r.samples[i], &s, metrics.KindUint64, metrics.Value.Uint64) }
	f := func(i int) float64 { return pick(r.samples[i], &s, metrics.KindFloat64, metrics.Value.Float64) }
	h := func(i int) SecondsHistogram {
		return pick(r.samples[i], &s, metrics.KindFloat64Histogram, func(v metrics.Value) SecondsHistogram {
			return secondsHistogram(v.Float64Histogram())
		})
	}
	s.Goroutines = int64(u(0))
	s.GoroutinesRunning = int64(u(1))
	s.GoroutinesRunnable = int64(u(2))
	s.GoroutinesWaiting = int64(u(3))
	s.GoroutinesNotInGo = int64(u(4))
	s.GoroutinesCreated = u(5)
	s.Threads = int64(u(6))
	s.LiveHeapBytes = u(7)
	s.HeapObjectsBytes = u(8)
	s.HeapGoalBytes = u(9)
	s.StackBytes = u(10)
	s.TotalMemoryBytes = u(11)
	s.ReleasedBytes = u(12)
	s.GOGCPercent = int64(u(13))
	s.MemoryLimitBytes = int64(min(u(14), math.MaxInt64))
	s.AllocBytes = u(15)
	s.AllocObjects = u(16)
	s.GCCycles = u(17)
	s.GCCPUSeconds = f(18)
	s.GoCPUSeconds = f(19)
	s.UserCPUSeconds = f(20)
	s.MutexWaitSeconds = f(21)
	s.GCPauses = h(22)
	s.SchedLatency = h(23)
	if s.GoCPUSeconds > 0 {
		s.GCCPUFraction = s.GCCPUSeconds / s.GoCPUSeconds
	}
	if s.Goroutines == 0 {
		s.Goroutines = int64(runtime.NumGoroutine())
	}
	return s
}

// pick converts a sample of the kind expected, or notes it as unavailable
// in s and returns the zero value.
func pick[T any](sample metrics.Sample, s *RuntimeSnapshot, kind metrics.ValueKind, conv func(metrics.Value) T) T {
	if sample.Value.Kind() != kind {
		s.Unavailable = append(s.Unavailable, sample.Name)
		var zero T
		return zero
	}
	return conv(sample.Value)
}

func secondsHistogram(fh *metrics.Float64Histogram) SecondsHistogram {
	var out SecondsHistogram
	for i, n := range fh.Counts {
		if n == 0 {
			continue
		}
		upper := fh.Buckets[i+1]
		if math.IsInf(upper, 1) {
			upper = math.MaxFloat64
		}
		out.Count += n
		out.Buckets = append(out.Buckets, [2]float64{upper, float64(n)})
	}
	return out
}

package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"

	"github.com/soaklab/soak/engine"
)

// memPeak is the memory in use at the interval where it was highest
// (heap objects plus goroutine stacks), for --memprofile.
type memPeak struct {
	ms         runtime.MemStats
	goroutines int
	startStack uint64 // bytes a new goroutine's stack starts with (/gc/stack/starting-size)
	err        error
}

// watchMemory reads runtime.MemStats at the end of every interval (a
// brief stop of the world, once a second) and, at each new peak of
// HeapInuse+StackInuse, writes a heap profile to path. It chains plan's
// OnInterval.
func watchMemory(plan *engine.Plan, path string, stderr io.Writer) *memPeak {
	runtime.MemProfileRate = 4096 // an exact enough picture of what each user holds
	peak := &memPeak{}
	prev := plan.OnInterval
	plan.OnInterval = func(iv *engine.Interval) {
		if prev != nil {
			prev(iv)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse+ms.StackInuse <= peak.ms.HeapInuse+peak.ms.StackInuse {
			return
		}
		peak.ms, peak.goroutines = ms, runtime.NumGoroutine()
		start := []metrics.Sample{{Name: "/gc/stack/starting-size:bytes"}}
		metrics.Read(start)
		if start[0].Value.Kind() == metrics.KindUint64 {
			peak.startStack = start[0].Value.Uint64()
		}
		var b bytes.Buffer
		if err := pprof.Lookup("heap").WriteTo(&b, 0); err != nil {
			peak.err = err
			return
		}
		peak.err = os.WriteFile(path, b.Bytes(), 0o644)
	}
	return peak
}

func (p *memPeak) print(w io.Writer) {
	if p.err != nil {
		fmt.Fprintf(w, "soakbench: --memprofile: %v\n", p.err)
	}
	mb := func(n uint64) float64 { return float64(n) / 1e6 }
	fmt.Fprintf(w, "memory at peak: heap-inuse %.1fMB stack-inuse %.1fMB sys %.1fMB goroutines %d stack-start %dB gcs %d\n",
		mb(p.ms.HeapInuse), mb(p.ms.StackInuse), mb(p.ms.Sys), p.goroutines, p.startStack, p.ms.NumGC)
}

package probe

import (
	"fmt"
	"net/http"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/felixge/fgprof"
)

// Profile kinds: the names served under /debug/pprof/ and accepted by
// [Client.Profile], and the one definition of them for every reader of
// profiles (soak's analysis names the profiles it captures with them).
// All but ProfileTrace are in pprof's protobuf format. CPU, Trace and
// FGProf take a duration ("seconds") and run one at a time per process.
const (
	// ProfileHeap is in-use and allocated memory by allocation site,
	// sampled (see [WithHeapProfileRate]); as of the last GC, or of now
	// with ProfileOptions.GC.
	ProfileHeap = "heap"
	// ProfileAllocs is ProfileHeap with allocated figures first.
	ProfileAllocs = "allocs"
	// ProfileGoroutine is every goroutine's stack, counted by stack (with
	// pprof labels: route and user class for labelled requests).
	ProfileGoroutine = "goroutine"
	// ProfileBlock is time blocked on synchronisation, by stack; empty
	// unless the service sets runtime.SetBlockProfileRate.
	ProfileBlock = "block"
	// ProfileMutex is mutex contention, by stack; empty unless the service
	// sets runtime.SetMutexProfileFraction.
	ProfileMutex = "mutex"
	// ProfileThreadCreate is the stacks that created OS threads.
	ProfileThreadCreate = "threadcreate"
	// ProfileGoroutineLeak is Go 1.26's leaked goroutines (blocked for
	// ever on an unreachable channel or lock), in binaries built with
	// GOEXPERIMENT=goroutineleakprofile ([GoroutineLeakProfile]).
	ProfileGoroutineLeak = "goroutineleak"
	// ProfileCPU is a CPU profile over a duration (default
	// [DefaultCPUSeconds]); "cpu" is accepted as an alias by the client.
	ProfileCPU = "profile"
	// ProfileTrace is an execution trace over a duration (default
	// [DefaultTraceSeconds]), in the runtime/trace format.
	ProfileTrace = "trace"
	// ProfileFGProf is fgprof's wall-clock profile (on- and off-CPU time)
	// over a duration (default DefaultCPUSeconds).
	ProfileFGProf = "fgprof"
)

// Default capture durations when the request names none.
const (
	DefaultCPUSeconds   = 30
	DefaultTraceSeconds = 1
)

// lookupProfiles are served from runtime/pprof.Lookup.
var lookupProfiles = []string{ProfileHeap, ProfileAllocs, ProfileGoroutine, ProfileBlock, ProfileMutex, ProfileThreadCreate, ProfileGoroutineLeak}

// GoroutineLeakProfile reports whether this binary has Go 1.26's
// goroutineleak profile (built with GOEXPERIMENT=goroutineleakprofile).
func GoroutineLeakProfile() bool { return pprof.Lookup(ProfileGoroutineLeak) != nil }

const noLeakProfile = "the goroutineleak profile is not in this binary: build the service with GOEXPERIMENT=goroutineleakprofile (Go 1.26)"

// MaxForcedGC is how many heap profiles with gc=1 (a forced garbage
// collection first) the probe's handler takes at once; more are answered
// 429 with Retry-After.
const MaxForcedGC = 1

// profiler serialises CPU-type captures (the CPU profiler, the execution
// tracer and fgprof's sampler are process-wide) and counts the forced-GC
// heap profiles under way.
type profiler struct {
	busy     atomic.Bool
	forcedGC atomic.Int32
}

func (p *Probe) serveLookup(w http.ResponseWriter, r *http.Request, name string) {
	prof := pprof.Lookup(name)
	if prof == nil {
		if name == ProfileGoroutineLeak {
			httpError(w, http.StatusNotImplemented, noLeakProfile)
			return
		}
		httpError(w, http.StatusNotFound, "no profile "+strconv.Quote(name))
		return
	}
	debug, err := intParam(r, "debug", 0, 0, 2)
	if err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	if name == ProfileHeap && r.URL.Query().Get("gc") == "1" {
		// A forced GC stops the world's allocation for a while: clients
		// looping on it would slow the service for everyone.
		if p.prof.forcedGC.Add(1) > MaxForcedGC {
			p.prof.forcedGC.Add(-1)
			w.Header().Set("Retry-After", "1")
			httpError(w, http.StatusTooManyRequests, "a heap profile with gc=1 is already being taken; retry in a second")
			return
		}
		defer p.prof.forcedGC.Add(-1)
		runtime.GC()
	}
	if debug == 0 {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.pb.gz"`)
	} else {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_ = prof.WriteTo(w, debug)
}

// serveCapture runs a timed capture (CPU profile, trace, fgprof): the
// seconds parameter is validated and capped, one capture runs at a time
// (409 otherwise), the request's context stops it early, and the write
// deadline is extended past the capture.
func (p *Probe) serveCapture(w http.ResponseWriter, r *http.Request, name string) {
	def := DefaultCPUSeconds
	if name == ProfileTrace {
		def = DefaultTraceSeconds
	}
	maxSec := int(p.opts.maxProfile / time.Second)
	sec, err := intParam(r, "seconds", def, 1, maxSec)
	if err != nil {
		httpError(w, http.StatusBadRequest, err.Error())
		return
	}
	if !p.prof.busy.CompareAndSwap(false, true) {
		httpError(w, http.StatusConflict, "a CPU profile, trace or fgprof capture is already running; retry when it ends")
		return
	}
	defer p.prof.busy.Store(false)
	d := time.Duration(sec) * time.Second
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d + 30*time.Second))

	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	var stop func() error
	switch name {
	case ProfileCPU:
		if err := pprof.StartCPUProfile(w); err != nil {
			httpError(w, http.StatusConflict, "cpu profile: "+err.Error())
			return
		}
		stop = func() error { pprof.StopCPUProfile(); return nil }
	case ProfileTrace:
		if err := trace.Start(w); err != nil {
			httpError(w, http.StatusConflict, "trace: "+err.Error())
			return
		}
		stop = func() error { trace.Stop(); return nil }
	case ProfileFGProf:
		stop = fgprof.Start(w, fgprof.FormatPprof)
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-r.Context().Done():
	}
	_ = stop()
}

// intParam parses the query parameter key as an integer in [lo, hi], or
// returns def when absent.
func intParam(r *http.Request, key string, def, lo, hi int) (int, error) {
	s := r.URL.Query().Get(key)
	if s == "" {
		return def, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < lo || v > hi {
		return 0, fmt.Errorf("parameter %s=%q: want an integer from %d to %d", key, s, lo, hi)
	}
	return v, nil
}

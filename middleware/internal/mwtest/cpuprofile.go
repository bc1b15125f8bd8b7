package mwtest

import (
	"bytes"
	"fmt"
	"net/http"
	"runtime/pprof"
	"sync"
	"testing"

	"github.com/google/pprof/profile"
)

// burnCPU spins for a fixed amount of work (no clock involved).
//
//go:noinline
func burnCPU(n int) uint64 {
	x := uint64(n)
	for i := range 8_000_000 {
		x ^= x<<13 ^ x>>7 ^ uint64(i)
	}
	return x
}

var (
	burnMu   sync.Mutex
	burnSink uint64
)

// BurnHandler burns a fixed amount of CPU, then answers 204: the handler
// [CPUProfileLabels] loads, served under "/burn/{n}" or "/burn/:n".
func BurnHandler(w http.ResponseWriter, r *http.Request) {
	v := burnCPU(len(r.URL.Path))
	burnMu.Lock()
	burnSink += v
	burnMu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// CPUProfileLabels captures a real CPU profile while soak-labelled
// requests to baseURL+"/burn/N" burn CPU in [BurnHandler], and checks that
// the samples taken inside the handler carry the route label route, the
// run and a user class.
func CPUProfileLabels(t *testing.T, baseURL, route string) {
	t.Helper()
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		t.Skipf("CPU profiler busy: %v", err)
	}
	for i := range 24 { // bounded: 24 requests of fixed work, ~10 ms of CPU each: ~24 samples at 100 Hz
		class := []string{"Reader", "Writer"}[i%2]
		req, _ := http.NewRequest("GET", baseURL+"/burn/"+fmt.Sprint(i), nil)
		req.Header = SoakHeaders("run-1", class, fmt.Sprint(i), "")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			pprof.StopCPUProfile()
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	pprof.StopCPUProfile()
	http.DefaultClient.CloseIdleConnections()

	prof, err := profile.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]int64{}
	var inBurn int64
	for _, s := range prof.Sample {
		if !SampleIn(s, "burnCPU") {
			continue
		}
		inBurn += s.Value[0] // a Sample is one stack and label set; Value[0] counts its samples
		r, class := s.Label[PprofRoute], s.Label[PprofClass]
		if len(r) != 1 || len(class) != 1 || len(s.Label[PprofRun]) != 1 || s.Label[PprofRun][0] != "run-1" {
			t.Fatalf("a sample in the handler lacks labels: %v", s.Label)
		}
		found[r[0]+" "+class[0]] += s.Value[0]
	}
	if inBurn < 5 {
		t.Fatalf("only %d samples in the handler; the machine gave it too little CPU", inBurn)
	}
	t.Logf("%d samples in the handler by route and class: %v", inBurn, found)
	if found[route+" Reader"]+found[route+" Writer"] != inBurn {
		t.Errorf("samples not all labelled with the route %q: %v", route, found)
	}
}

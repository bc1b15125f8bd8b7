package probe_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/google/pprof/profile"

	"github.com/soaklab/soak/probe"
)

// A service whose handlers can run inside cgo callbacks (C code calling
// exported Go functions that acquire connections) unwinds the acquiring
// stacks with runtime.Callers instead of frame pointers.
func ExampleWithFramePointers() {
	p := probe.New(probe.WithFramePointers(false))

	snap, _ := p.Snapshot(context.Background())
	fmt.Println(snap.Leaks.StackUnwinder)
	// Output: runtime.Callers
}

// A heap profile taken after a GC in the service (gc=1): its in-use
// figures count live objects only, as of now.
func ExampleClient_ProfileWithOptions() {
	p := probe.New()
	admin := httptest.NewServer(p.Handler())
	defer admin.Close()

	client, _ := probe.NewClient(admin.URL, "")
	raw, err := client.ProfileWithOptions(context.Background(), probe.ProfileHeap, probe.ProfileOptions{GC: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	prof, err := profile.Parse(bytes.NewReader(raw))
	fmt.Println(prof.SampleType[2].Type, prof.SampleType[2].Unit, err)
	// Output: inuse_objects count <nil>
}

// A service soaked for a few minutes samples its heap every 16 KiB
// instead of 512 KiB, so that a heap diff rests on hundreds of samples.
func ExampleWithHeapProfileRate() {
	p := probe.New(probe.WithHeapProfileRate(16 << 10))

	snap, _ := p.Snapshot(context.Background())
	fmt.Println(snap.Runtime.HeapProfileRateBytes <= 16<<10)
	// Output: true
}

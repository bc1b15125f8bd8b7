package probe_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/soaklab/soak/probe"
)

// forcedGCs reads how many GCs the process ran on request (runtime.GC).
func forcedGCs() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/forced:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestClientHeapAfterGC asks a probe over real HTTP for a heap profile
// with and without ProfileOptions.GC: the query carries gc=1 only when
// asked, and the probe then runs a GC before it writes the profile.
func TestClientHeapAfterGC(t *testing.T) {
	p := probe.New()
	var mu sync.Mutex
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries = append(queries, r.URL.RawQuery)
		mu.Unlock()
		p.Handler().ServeHTTP(w, r)
	}))
	defer srv.Close()
	c, err := probe.NewClient(srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, gc := range []bool{false, true} {
		before := forcedGCs()
		raw, err := c.ProfileWithOptions(ctx, probe.ProfileHeap, probe.ProfileOptions{GC: gc})
		if err != nil {
			t.Fatal(err)
		}
		ran := forcedGCs() - before
		if prof, err := profile.Parse(bytes.NewReader(raw)); err != nil || len(prof.SampleType) == 0 {
			t.Fatalf("gc=%v: heap profile does not parse: %v", gc, err)
		}
		mu.Lock()
		q := queries[len(queries)-1]
		mu.Unlock()
		switch {
		case gc && (q != "gc=1" || ran == 0):
			t.Errorf("GC asked: query %q, %d forced GCs", q, ran)
		case !gc && (q != "" || ran != 0):
			t.Errorf("GC not asked: query %q, %d forced GCs", q, ran)
		}
	}
	// Profile is the options variant with Seconds alone: no gc parameter.
	if _, err := c.Profile(ctx, probe.ProfileHeap, 0); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if q := queries[len(queries)-1]; q != "" {
		t.Errorf("Profile(heap) sent %q", q)
	}
	mu.Unlock()
	if _, err := c.ProfileWithOptions(ctx, "cpu", probe.ProfileOptions{Seconds: 1}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if q := queries[len(queries)-1]; q != "seconds=1" {
		t.Errorf("cpu capture sent %q", q)
	}
	mu.Unlock()
}

// TestClientProfileOptionsRefused: an option that does not apply to the
// profile is an error naming it, and nothing is requested.
func TestClientProfileOptionsRefused(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { requests.Add(1) }))
	defer srv.Close()
	c, err := probe.NewClient(srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		o    probe.ProfileOptions
		want string
	}{
		{probe.ProfileGoroutine, probe.ProfileOptions{GC: true}, "ProfileOptions.GC applies only to heap"},
		{probe.ProfileAllocs, probe.ProfileOptions{GC: true}, "ProfileOptions.GC applies only to heap"},
		{probe.ProfileHeap, probe.ProfileOptions{Seconds: 5}, "ProfileOptions.Seconds applies only to"},
		{probe.ProfileCPU, probe.ProfileOptions{Seconds: -1}, "ProfileOptions.Seconds -1 is negative"},
		{"nope", probe.ProfileOptions{}, `unknown profile "nope"`},
	}
	for _, tc := range cases {
		_, err := c.ProfileWithOptions(context.Background(), tc.name, tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %+v: %v, want %q", tc.name, tc.o, err, tc.want)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests sent for refused options", n)
	}
}

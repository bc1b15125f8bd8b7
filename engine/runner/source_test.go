package runner

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/soaklab/soak/probe"
)

// plainClient hides ProfileWithOptions: a Client that cannot ask for a GC.
type plainClient struct{ Client }

// TestRemoteHeapAfterGC: over real HTTP, the remote source asks the probe
// for its heap profile after a GC (gc=1) when the client can, as the
// in-process source does, and the plain way otherwise.
func TestRemoteHeapAfterGC(t *testing.T) {
	p := probe.New()
	var mu sync.Mutex
	var queries []string
	admin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries = append(queries, r.URL.Path+"?"+r.URL.RawQuery)
		mu.Unlock()
		p.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(admin.Close)
	c, err := probe.NewClient(admin.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		src  Source
		kind string
		want string
	}{
		{Remote(admin.URL, c), probe.ProfileHeap, "/debug/pprof/heap?gc=1"},
		{Remote(admin.URL, c), probe.ProfileGoroutine, "/debug/pprof/goroutine?"},
		{Remote(admin.URL, plainClient{c}), probe.ProfileHeap, "/debug/pprof/heap?"},
	}
	for _, tc := range cases {
		raw, err := tc.src.Profile(context.Background(), tc.kind)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := profile.Parse(bytes.NewReader(raw)); err != nil {
			t.Errorf("%s: %v", tc.want, err)
		}
		mu.Lock()
		got := queries[len(queries)-1]
		mu.Unlock()
		if got != tc.want {
			t.Errorf("requested %s, want %s", got, tc.want)
		}
	}
}

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

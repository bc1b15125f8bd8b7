package demo

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/soaklab/soak/probe"
)

func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// TestListen serves the API and the probe on two loopback listeners and
// reads the API's traffic back from the admin endpoint's snapshot.
func TestListen(t *testing.T) {
	ctx := context.Background()
	s, err := New(ctx, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	srv, err := Listen(s, "127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if srv.URL() == srv.AdminURL() {
		t.Fatalf("API and admin share %s", srv.URL())
	}
	for range 3 {
		if code, body := get(t, srv.URL()+"/api/stories/story-0003"); code != http.StatusOK {
			t.Fatalf("story: %d %s", code, body)
		}
	}
	if code, _ := get(t, srv.URL()+"/snapshot"); code != http.StatusNotFound {
		t.Errorf("the API serves the probe's /snapshot: %d", code)
	}
	code, body := get(t, srv.AdminURL()+"/snapshot")
	if code != http.StatusOK {
		t.Fatalf("snapshot: %d %s", code, body)
	}
	var snap probe.Snapshot
	if err := json.Unmarshal(body, &snap); err != nil {
		t.Fatal(err)
	}
	if r, ok := snap.HTTP.Route("GET", "/api/stories/:slug"); !ok || r.Requests != 3 {
		t.Errorf("admin snapshot route: %+v", r)
	}
	if snap.Config[probe.ConfigServerTimeouts] == "" {
		t.Error("server timeouts not reported")
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if _, err := http.Get(srv.URL() + "/health"); err == nil {
		t.Error("API still answers after Shutdown")
	}
	if _, err := http.Get(srv.AdminURL() + "/snapshot"); err == nil {
		t.Error("admin still answers after Shutdown")
	}
}

func TestListenRefusesNonLoopback(t *testing.T) {
	s, err := New(context.Background(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	for _, tc := range []struct{ addr, admin string }{
		{":0", "127.0.0.1:0"},
		{"0.0.0.0:0", "127.0.0.1:0"},
		{"192.0.2.1:0", "127.0.0.1:0"},
		{"example.com:80", "127.0.0.1:0"},
		{"127.0.0.1:0", ":0"},
		{"127.0.0.1:0", "[::]:0"},
	} {
		srv, err := Listen(s, tc.addr, tc.admin)
		if err == nil {
			srv.Shutdown(context.Background())
			t.Errorf("Listen(%q, %q) accepted", tc.addr, tc.admin)
			continue
		}
		if !errors.Is(err, ErrNotLoopback) {
			t.Errorf("Listen(%q, %q): %v, want ErrNotLoopback", tc.addr, tc.admin, err)
		}
	}
	if _, err := Listen(s, "127.0.0.1", ""); err == nil {
		t.Error("address without a port accepted")
	}
}

func TestServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	urls := make(chan [2]string, 1)
	go func() {
		errc <- Serve(ctx, Config{Faults: []string{FaultGoroutineLeak}}, "127.0.0.1:0", "127.0.0.1:0", func(srv *Server) {
			urls <- [2]string{srv.URL(), srv.AdminURL()}
		})
	}()
	var u [2]string
	select {
	case u = <-urls:
	case err := <-errc:
		t.Fatalf("Serve: %v", err)
	}
	for range 2 * GoroutineLeakEvery {
		if code, _ := get(t, u[0]+"/api/discovery/trending"); code != http.StatusOK {
			t.Fatalf("trending: %d", code)
		}
	}
	if code, _ := get(t, u[1]+"/leaks"); code != http.StatusOK {
		t.Errorf("admin /leaks: %d", code)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("Serve returned %v", err)
	}
	// goleak (TestMain) checks that the leaked goroutines ended with Serve.
	if err := Serve(context.Background(), Config{Faults: []string{"bogus"}}, "", "", nil); !errors.Is(err, ErrUnknownFault) {
		t.Errorf("Serve with a bad config: %v", err)
	}
}

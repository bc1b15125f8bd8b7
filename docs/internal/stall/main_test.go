package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestFreeze: while a freeze holds, /stall waits and /ok does not; when
// it ends, /stall answers.
func TestFreeze(t *testing.T) {
	s := newStaller(10*time.Second, time.Second)
	srv := httptest.NewServer(s.handler())
	defer srv.Close()
	get := func(path string) <-chan string {
		done := make(chan string, 1)
		go func() {
			resp, err := http.Get(srv.URL + path)
			if err != nil {
				done <- err.Error()
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			done <- resp.Status + " " + string(b)
		}()
		return done
	}
	s.mu.Lock() // a freeze
	stalled := get("/stall")
	if got := <-get("/ok"); !strings.HasPrefix(got, "200 OK {\"status\":\"ok\"") {
		t.Errorf("/ok during a freeze: %q", got)
	}
	select {
	case got := <-stalled:
		t.Fatalf("/stall answered during a freeze: %q", got)
	default:
	}
	s.mu.Unlock()
	if got := <-stalled; !strings.HasPrefix(got, "200 OK") {
		t.Errorf("/stall after the freeze: %q", got)
	}
	if got := <-get("/nope"); !strings.HasPrefix(got, "404") {
		t.Errorf("/nope: %q", got)
	}
}

// TestLoopStops: the freeze loop ends with its context, holding no lock.
func TestLoopStops(t *testing.T) {
	s := newStaller(20*time.Millisecond, 10*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.loop(ctx); close(done) }()
	cancel()
	<-done
	if !s.mu.TryLock() {
		t.Fatal("the loop ended holding the freeze lock")
	}
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-addr", "0.0.0.0:0"}, `-addr "0.0.0.0:0": not a loopback address`},
		{[]string{"-addr", "example.com:80"}, "not a loopback address"},
		{[]string{"-addr", "nocolon"}, `-addr "nocolon"`},
		{[]string{"-freeze", "2s", "-every", "1s"}, "want 0 < freeze < every"},
		{[]string{"-freeze", "0s"}, "want 0 < freeze < every"},
		{[]string{"-bogus"}, "flag provided but not defined: -bogus"},
	} {
		err := run(tc.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q) = %v, want an error with %q", tc.args, err, tc.want)
		}
	}
}

package h1

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func request(host, path string) []byte {
	return []byte("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
}

// newServer counts the connections it accepts.
func newServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func deadline() time.Time { return time.Now().Add(5 * time.Second) }

func TestKeepAliveReusesTheConnection(t *testing.T) {
	srv, conns := newServer(t, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hi " + r.URL.Path)) })
	host := strings.TrimPrefix(srv.URL, "http://")
	c := &Conn{Addr: host, KeepAlive: true}
	defer c.Close()
	var r Response
	for i := range 20 {
		if err := c.RoundTrip(context.Background(), request(host, "/x"), false, true, 0, deadline(), 1<<20, &r); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if r.Status != 200 || string(r.Body) != "hi /x" {
			t.Fatalf("request %d: %d %q", i, r.Status, r.Body)
		}
	}
	if conns.Load() != 1 {
		t.Fatalf("%d connections for 20 keep-alive requests", conns.Load())
	}
	off := &Conn{Addr: host}
	defer off.Close()
	for range 3 {
		if err := off.RoundTrip(context.Background(), request(host, "/y"), false, true, 0, deadline(), 1<<20, &r); err != nil {
			t.Fatal(err)
		}
	}
	if conns.Load() != 4 {
		t.Fatalf("%d connections: without keep-alive each request needs its own", conns.Load())
	}
}

// A keep-alive connection that the server closed while idle is retried
// once on a fresh connection, for idempotent requests only.
func TestStaleConnectionRetry(t *testing.T) {
	srv, conns := newServer(t, func(w http.ResponseWriter, r *http.Request) {})
	host := strings.TrimPrefix(srv.URL, "http://")
	for _, retry := range []bool{true, false} {
		c := &Conn{Addr: host, KeepAlive: true}
		var r Response
		if err := c.RoundTrip(context.Background(), request(host, "/"), false, retry, 0, deadline(), 1<<20, &r); err != nil {
			t.Fatal(err)
		}
		srv.CloseClientConnections()
		time.Sleep(20 * time.Millisecond) // let the close reach the client's socket
		err := c.RoundTrip(context.Background(), request(host, "/"), false, retry, 0, deadline(), 1<<20, &r)
		if retry && err != nil {
			t.Fatalf("idempotent request on a stale connection: %v", err)
		}
		if !retry && err == nil {
			t.Fatal("a non-idempotent request was retried")
		}
		c.Close()
	}
	if conns.Load() < 3 {
		t.Fatalf("%d connections", conns.Load())
	}
}

func TestInterruptAndShutdown(t *testing.T) {
	release := make(chan struct{})
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	host := strings.TrimPrefix(srv.URL, "http://")
	c := &Conn{Addr: host, KeepAlive: true}
	var r Response
	gen := c.Gen()
	time.AfterFunc(50*time.Millisecond, func() { c.Interrupt(gen) })
	if err := c.RoundTrip(context.Background(), request(host, "/"), false, true, 0, deadline(), 1<<20, &r); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("interrupted request: %v", err)
	}
	c.Interrupt(gen) // late: must not touch the next request
	stale := c.Gen()
	time.AfterFunc(50*time.Millisecond, c.Shutdown)
	if err := c.RoundTrip(context.Background(), request(host, "/"), false, true, 0, deadline(), 1<<20, &r); !errors.Is(err, ErrClosed) {
		t.Fatalf("request during shutdown: %v", err)
	}
	if stale != gen+1 {
		t.Fatalf("generations %d then %d", gen, stale)
	}
	if err := c.RoundTrip(context.Background(), request(host, "/"), false, true, 0, deadline(), 1<<20, &r); !errors.Is(err, ErrClosed) {
		t.Fatalf("request after shutdown: %v", err)
	}
	c.Close()
}

func TestDeadline(t *testing.T) {
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	host := strings.TrimPrefix(srv.URL, "http://")
	c := &Conn{Addr: host, KeepAlive: true}
	defer c.Close()
	var r Response
	err := c.RoundTrip(context.Background(), request(host, "/"), false, true, 0, time.Now().Add(50*time.Millisecond), 1<<20, &r)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
}

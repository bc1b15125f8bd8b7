// Package mwtest holds the test helpers the tests of middleware and
// middleware/echoprobe share: a loopback server and client, the probe's
// figures for a route, a fake clock, soak label headers and what a
// handler found of them. It imports neither package, so their internal
// tests can use it.
package mwtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soaklab/soak/probe"
)

// Serve starts h on a loopback listener for the test's duration.
func Serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// Result is what the client got.
type Result struct {
	Status int
	Header http.Header
	Body   string
}

// Do sends one request to srv and reads the whole response, failing t on
// error. Call it from the test's goroutine; other goroutines use GoDo.
func Do(t testing.TB, srv *httptest.Server, method, path string, header http.Header, body io.Reader) Result {
	t.Helper()
	res, err := send(srv, method, path, header, body)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// GoDo is Do for goroutines other than the test's: it reports an error
// with t.Error (FailNow is for the test's goroutine only) and returns a
// zero Result.
func GoDo(t testing.TB, srv *httptest.Server, method, path string, header http.Header) Result {
	t.Helper()
	res, err := send(srv, method, path, header, nil)
	if err != nil {
		t.Error(err)
	}
	return res
}

func send(srv *httptest.Server, method, path string, header http.Header, body io.Reader) (Result, error) {
	req, err := http.NewRequestWithContext(context.Background(), method, srv.URL+path, body)
	if err != nil {
		return Result{}, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return Result{}, fmt.Errorf("%s %s: reading body: %w", method, path, err)
	}
	return Result{resp.StatusCode, resp.Header, string(b)}, nil
}

// RouteSnap returns the probe's figures for one route, failing when absent.
func RouteSnap(t testing.TB, p *probe.Probe, method, route string) probe.RouteSnapshot {
	t.Helper()
	snap, err := p.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r, ok := snap.HTTP.Route(method, route)
	if !ok {
		var have []string
		for _, r := range snap.HTTP.Routes {
			have = append(have, r.Method+" "+r.Route)
		}
		t.Fatalf("no route %s %s in the probe; have %s", method, route, strings.Join(have, ", "))
	}
	return r
}

// RouteKeys lists the (method route) pairs the probe holds.
func RouteKeys(t testing.TB, p *probe.Probe) []string {
	t.Helper()
	snap, err := p.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range snap.HTTP.Routes {
		keys = append(keys, r.Method+" "+r.Route)
	}
	return keys
}

// ClassCount returns how many requests of r had the given status class.
func ClassCount(r probe.RouteSnapshot, status int) uint64 {
	switch status / 100 {
	case 1:
		return r.Status1xx
	case 2:
		return r.Status2xx
	case 3:
		return r.Status3xx
	case 4:
		return r.Status4xx
	case 5:
		return r.Status5xx
	}
	return r.StatusOther
}

// ExpectStatuses sends each call to srv and checks the status; a call is
// "METHOD /path STATUS".
func ExpectStatuses(t *testing.T, srv *httptest.Server, calls ...string) {
	t.Helper()
	for _, c := range calls {
		f := strings.Fields(c)
		if len(f) != 3 {
			t.Fatalf("call %q: want \"METHOD /path STATUS\"", c)
		}
		want, err := strconv.Atoi(f[2])
		if err != nil {
			t.Fatalf("call %q: %v", c, err)
		}
		if got := Do(t, srv, f[0], f[1], nil, nil).Status; got != want {
			t.Fatalf("%s %s: status %d, want %d", f[0], f[1], got, want)
		}
	}
}

// SameSet reports whether a and b hold the same strings, in any order.
func SameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// FakeClock is an injected clock; safe for concurrent use. Its zero value
// reads [ClockBase].
type FakeClock struct{ ns atomic.Int64 }

// ClockBase is a FakeClock's time before it is moved.
var ClockBase = time.Date(2026, 2, 18, 12, 0, 0, 0, time.UTC)

// Now returns the clock's time.
func (c *FakeClock) Now() time.Time { return ClockBase.Add(time.Duration(c.ns.Load())) }

// Advance moves the clock by d.
func (c *FakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// Set sets the clock to ClockBase + sinceBase.
func (c *FakeClock) Set(sinceBase time.Duration) { c.ns.Store(int64(sinceBase)) }

// NopWriter is a ResponseWriter that discards, reusing one header map,
// for benchmarks.
type NopWriter struct{ H http.Header }

// Header implements http.ResponseWriter.
func (w *NopWriter) Header() http.Header { return w.H }

// Write implements http.ResponseWriter.
func (w *NopWriter) Write(b []byte) (int, error) { return len(b), nil }

// WriteHeader implements http.ResponseWriter.
func (w *NopWriter) WriteHeader(int) {}

package middleware

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/soaklab/soak/probe"
)

// newEcho returns an echo instance that logs nowhere.
func newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Logger.SetOutput(io.Discard)
	return e
}

// serve starts h on a loopback listener for the test's duration.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// result is what the client got.
type result struct {
	status int
	header http.Header
	body   string
}

// do sends one request to srv and reads the whole response, failing t on
// error. Call it from the test's goroutine; other goroutines use send.
func do(t testing.TB, srv *httptest.Server, method, path string, header http.Header, body io.Reader) result {
	t.Helper()
	res, err := send(srv, method, path, header, body)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// goDo is do for goroutines other than the test's: it reports an error
// with t.Error (FailNow is for the test's goroutine only) and returns a
// zero result.
func goDo(t testing.TB, srv *httptest.Server, method, path string, header http.Header) result {
	t.Helper()
	res, err := send(srv, method, path, header, nil)
	if err != nil {
		t.Error(err)
	}
	return res
}

func send(srv *httptest.Server, method, path string, header http.Header, body io.Reader) (result, error) {
	req, err := http.NewRequestWithContext(context.Background(), method, srv.URL+path, body)
	if err != nil {
		return result{}, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		return result{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return result{}, fmt.Errorf("%s %s: reading body: %w", method, path, err)
	}
	return result{resp.StatusCode, resp.Header, string(b)}, nil
}

// routeSnap returns the probe's figures for one route, failing when absent.
func routeSnap(t testing.TB, p *probe.Probe, method, route string) probe.RouteSnapshot {
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

// routeKeys lists the (method route) pairs the probe holds.
func routeKeys(t testing.TB, p *probe.Probe) []string {
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

// statusCount returns how many requests of r had the given status class.
func classCount(r probe.RouteSnapshot, status int) uint64 {
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

// call is a request and the status the client must get.
type call struct {
	method, path string
	status       int
}

// expectStatuses sends each call to srv and checks the status.
func expectStatuses(t *testing.T, srv *httptest.Server, calls []call) {
	t.Helper()
	for _, c := range calls {
		if got := do(t, srv, c.method, c.path, nil, nil).status; got != c.status {
			t.Fatalf("%s %s: status %d, want %d", c.method, c.path, got, c.status)
		}
	}
}

package mwtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/internal/testenv"
	"github.com/soaklab/soak/probe"
)

// BenchBody is the response body of the benchmarks' handler.
var BenchBody = []byte(`{"slug":"dragon-tale","title":"A dragon's tale"}`)

// BenchRequest is the benchmarks' request, with soak label headers when
// labels is true. Its context is built as net/http's server builds a
// request's (a cancel context per request over one per connection, the
// local address and the server as values), so that a lookup of a value no
// node holds walks as far as in a server: four nodes.
func BenchRequest(labels bool) *http.Request {
	r := httptest.NewRequest("GET", "/api/stories/dragon-tale", nil)
	r = r.WithContext(serverContext)
	if labels {
		r.Header = SoakHeaders("20261128T051500Z-3f9a", "AuthenticatedUser", "17", "/api/stories/[slug]")
	}
	return r
}

// serverContext is a context shaped as net/http's server shapes a
// request's (net/http server.go: Serve adds ServerContextKey, conn.serve
// LocalAddrContextKey and a cancel context, readRequest a cancel context
// per request), shared by every benchmark request. Nothing cancels it.
var serverContext, _ = newServerContext()

func newServerContext() (context.Context, context.CancelFunc) {
	ctx := context.WithValue(context.Background(), http.ServerContextKey, &http.Server{})
	ctx = context.WithValue(ctx, http.LocalAddrContextKey, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080})
	ctx, cancelConn := context.WithCancel(ctx)
	ctx, cancelRequest := context.WithCancel(ctx)
	return ctx, func() { cancelRequest(); cancelConn() }
}

// BenchLimit is a policy one benchmark identity never exhausts (a request
// every 250 ns, with a burst of 4000), whose header numbers stay within the
// preformatted table, as those of a policy such as 100/min do.
var BenchLimit = probe.RateLimitPolicy{Limit: 4000, Period: time.Millisecond}

// RunBench serves r through h b.N times, reporting allocations and the CPU
// time per request: once first, outside the measure, to create the route
// and the histogram row.
func RunBench(b *testing.B, h http.Handler, r *http.Request) {
	w := &NopWriter{H: http.Header{}}
	h.ServeHTTP(w, r)
	b.ReportAllocs()
	defer testenv.CPUPerOp(b)()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
}

// Allocs returns the allocations per request of serving r through h, once
// the route exists.
func Allocs(h http.Handler, r *http.Request) float64 {
	w := &NopWriter{H: http.Header{}}
	h.ServeHTTP(w, r)
	return testing.AllocsPerRun(200, func() { h.ServeHTTP(w, r) })
}

// Mode returns the label mode (middleware.LabelMode) whose String is
// name, failing t when none is.
func Mode[M interface {
	~uint8
	String() string
}](t testing.TB, name string) M {
	t.Helper()
	for m := M(0); m < 16; m++ {
		if m.String() == name {
			return m
		}
	}
	t.Fatalf("no label mode %q", name)
	return 0
}

// Panics checks that f panics with a value whose text contains want.
func Panics(t *testing.T, f func(), want string) {
	t.Helper()
	defer func() {
		t.Helper()
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), want) {
			t.Fatalf("panic %v, want one naming %q", r, want)
		}
	}()
	f()
}

// WireWriter is a ResponseWriter that, like net/http's server, starts
// every response with a new header map and serialises the header (sorted,
// as the server does) to a discarding buffer when the response is
// committed, so that benchmarks count the cost of header fields a
// middleware adds. Reset it before each request.
type WireWriter struct {
	h         http.Header
	committed bool
	buf       bytes.Buffer
}

// Reset starts a new response.
func (w *WireWriter) Reset() { w.h, w.committed = nil, false; w.buf.Reset() }

// Header implements http.ResponseWriter.
func (w *WireWriter) Header() http.Header {
	if w.h == nil {
		w.h = make(http.Header)
	}
	return w.h
}

// WriteHeader implements http.ResponseWriter.
func (w *WireWriter) WriteHeader(code int) {
	if w.committed {
		return
	}
	w.committed = true
	fmt.Fprintf(&w.buf, "HTTP/1.1 %d\r\n", code)
	_ = w.Header().Write(&w.buf)
	w.buf.WriteString("\r\n")
}

// Write implements http.ResponseWriter.
func (w *WireWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.buf.Write(b)
}

// RunWireBench is RunBench with a [WireWriter]: a new header map per
// request, serialised as the server would.
func RunWireBench(b *testing.B, h http.Handler, r *http.Request) {
	w := &WireWriter{}
	h.ServeHTTP(w, r)
	b.ReportAllocs()
	defer testenv.CPUPerOp(b)()
	for b.Loop() {
		w.Reset()
		h.ServeHTTP(w, r)
	}
}

package middleware

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soaklab/soak/middleware/internal/mwtest"
	"github.com/soaklab/soak/probe"
)

func TestHTTPRoutePatterns(t *testing.T) {
	p := probe.New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/stories/{slug}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.PathValue("slug")) })
	mux.HandleFunc("POST /api/whispers", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(201) })
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {})
	srv := mwtest.Serve(t, HTTP(p)(mux))
	mwtest.ExpectStatuses(t, srv,
		"GET /api/stories/dragon-tale 200",
		"GET /api/stories/sea 200",
		"POST /api/whispers 201",
		"GET /health 200",
		"HEAD /health 200",
		"GET /nope 404",
		"GET /api/stories 404",
		"DELETE /api/whispers 405",
	)
	want := []string{
		"GET GET /api/stories/{slug}", "POST POST /api/whispers", "GET /health", "HEAD /health",
		"GET " + UnmatchedRoute, "DELETE " + UnmatchedRoute,
	}
	if got := mwtest.RouteKeys(t, p); !mwtest.SameSet(got, want) {
		t.Fatalf("routes %q, want %q", got, want)
	}
	r := mwtest.RouteSnap(t, p, "GET", "GET /api/stories/{slug}")
	if r.Requests != 2 || r.Status2xx != 2 || r.BytesOut != uint64(len("dragon-tale")+len("sea")) {
		t.Fatalf("story route: %+v", r)
	}
	if u := mwtest.RouteSnap(t, p, "GET", UnmatchedRoute); u.Status4xx != 2 {
		t.Fatalf("unmatched: %+v", u)
	}
	if in := p.HTTP().InFlight(); in != 0 {
		t.Fatalf("%d in flight", in)
	}
}

func TestHTTPStatus(t *testing.T) {
	cases := []struct {
		name   string
		h      http.HandlerFunc
		status int // what the client gets; 0 = no response (aborted)
		rec    int // what is recorded
	}{
		{"nothing", func(w http.ResponseWriter, r *http.Request) {}, 200, 200},
		{"write", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "x") }, 200, 200},
		{"created", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(201) }, 201, 201},
		{"twice", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503); w.WriteHeader(200) }, 503, 503},
		{"early-hints", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", "</a.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusTeapot)
		}, 418, 418},
		{"error", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusTooManyRequests) }, 429, 429},
		{"panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") }, 0, 500},
		{"abort", func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) }, 0, 500},
	}
	p := probe.New()
	mux := http.NewServeMux()
	for _, tc := range cases {
		mux.HandleFunc("GET /"+tc.name, tc.h)
	}
	srv := httptest.NewUnstartedServer(HTTP(p)(mux))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the panics' stack traces
	srv.Start()
	t.Cleanup(srv.Close)
	for _, tc := range cases {
		resp, err := srv.Client().Get(srv.URL + "/" + tc.name)
		got := 0
		if err == nil {
			got = resp.StatusCode
			resp.Body.Close()
		}
		if got != tc.status {
			t.Errorf("%s: client got %d (%v), want %d", tc.name, got, err, tc.status)
		}
		r := mwtest.RouteSnap(t, p, "GET", "GET /"+tc.name)
		if r.Requests != 1 || mwtest.ClassCount(r, tc.rec) != 1 || (r.Status429 == 1) != (tc.rec == 429) {
			t.Errorf("%s: recorded %+v, want one %d", tc.name, r, tc.rec)
		}
	}
	if in := p.HTTP().InFlight(); in != 0 {
		t.Fatalf("%d in flight after panics", in)
	}
}

// The handler gets Flusher and Hijacker exactly when the server's writer
// has them, and Unwrap reaches the server's writer for ResponseController.
func TestHTTPWriterInterfaces(t *testing.T) {
	type caps struct{ flusher, hijacker, readerFrom, unwrap, deadline bool }
	probeWriter := func(got *caps) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			_, got.flusher = w.(http.Flusher)
			_, got.hijacker = w.(http.Hijacker)
			_, got.readerFrom = w.(io.ReaderFrom)
			_, got.unwrap = w.(interface{ Unwrap() http.ResponseWriter })
			got.deadline = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Minute)) == nil
			io.WriteString(w, "hello ")
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			io.Copy(w, strings.NewReader("world")) // through ReadFrom
		}
	}
	for _, proto := range []string{"HTTP/1.1", "HTTP/2"} {
		t.Run(proto, func(t *testing.T) {
			var got caps
			p := probe.New()
			srv := httptest.NewUnstartedServer(HTTP(p)(probeWriter(&got)))
			if proto == "HTTP/2" {
				srv.EnableHTTP2 = true
				srv.StartTLS()
			} else {
				srv.Start()
			}
			t.Cleanup(srv.Close)
			res := mwtest.Do(t, srv, "GET", "/", nil, nil)
			want := caps{flusher: true, hijacker: proto == "HTTP/1.1", readerFrom: true, unwrap: true, deadline: true}
			if got != want || res.Body != "hello world" {
				t.Fatalf("%s: handler saw %+v (body %q), want %+v", proto, got, res.Body, want)
			}
			if r := mwtest.RouteSnap(t, p, "GET", UnmatchedRoute); r.BytesOut != 11 || r.Status2xx != 1 {
				t.Fatalf("recorded %+v", r)
			}
		})
	}
	// Writers without the optional interfaces do not gain them.
	var got caps
	HTTP(probe.New())(probeWriter(&got)).ServeHTTP(bareWriter{httptest.NewRecorder()}, httptest.NewRequest("GET", "/", nil))
	if got.flusher || got.hijacker || !got.unwrap || got.deadline {
		t.Fatalf("bare writer: handler saw %+v", got)
	}
}

// bareWriter has only the three ResponseWriter methods.
type bareWriter struct{ rec *httptest.ResponseRecorder }

func (b bareWriter) Header() http.Header         { return b.rec.Header() }
func (b bareWriter) Write(p []byte) (int, error) { return b.rec.Write(p) }
func (b bareWriter) WriteHeader(code int)        { b.rec.WriteHeader(code) }

// A hijacked connection (a WebSocket-style upgrade) is recorded as 101.
func TestHTTPHijack(t *testing.T) {
	p := probe.New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: soak-test\r\n\r\n")
		brw.Flush()
	})
	h := HTTP(p)(mux)
	done := make(chan struct{})
	srv := mwtest.Serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		h.ServeHTTP(w, r)
	}))
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: soak-test\r\n\r\n")
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 101") {
		t.Fatalf("read %q, %v", line, err)
	}
	<-done // the middleware has returned
	if r := mwtest.RouteSnap(t, p, "GET", "GET /ws"); r.Status1xx != 1 {
		t.Fatalf("recorded %+v", r)
	}
}

func TestHTTPBodyAndSkipper(t *testing.T) {
	p := probe.New()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/stories", func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		fmt.Fprintf(w, "%d", n)
	})
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {})
	srv := mwtest.Serve(t, HTTPWithConfig(HTTPConfig{Probe: p, Skipper: func(r *http.Request) bool { return r.URL.Path == "/health" }})(mux))
	body := strings.Repeat("story ", 100)
	mwtest.Do(t, srv, "POST", "/api/stories", nil, strings.NewReader(body))
	mwtest.Do(t, srv, "POST", "/api/stories", nil, struct{ io.Reader }{strings.NewReader(body)}) // chunked
	mwtest.Do(t, srv, "GET", "/health", nil, nil)
	if r := mwtest.RouteSnap(t, p, "POST", "POST /api/stories"); r.BytesIn != uint64(2*len(body)) || r.BytesOut != 6 {
		t.Fatalf("recorded %+v", r)
	}
	if len(mwtest.RouteKeys(t, p)) != 1 {
		t.Fatalf("skipped request recorded: %q", mwtest.RouteKeys(t, p))
	}
}

func TestHTTPConcurrent(t *testing.T) {
	p := probe.New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /a/{id}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.PathValue("id")) })
	mux.HandleFunc("GET /b", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
	srv := mwtest.Serve(t, HTTP(p)(mux))
	const workers, each = 16, 40
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				h := mwtest.SoakHeaders("r", fmt.Sprint("C", w%2), fmt.Sprint(w), "")
				if i%2 == 0 {
					mwtest.GoDo(t, srv, "GET", fmt.Sprintf("/a/%d", i), h)
				} else {
					mwtest.GoDo(t, srv, "GET", "/b", nil)
				}
			}
		})
	}
	wg.Wait()
	a, b := mwtest.RouteSnap(t, p, "GET", "GET /a/{id}"), mwtest.RouteSnap(t, p, "GET", "GET /b")
	if a.Status2xx != workers*each/2 || b.Status5xx != workers*each/2 || p.HTTP().InFlight() != 0 {
		t.Fatalf("a %+v\nb %+v", a, b)
	}
}

func TestConfigPanics(t *testing.T) {
	mwtest.Panics(t, func() { HTTPWithConfig(HTTPConfig{}) }, "HTTPConfig.Probe is required")
	mwtest.Panics(t, func() { HTTPWithConfig(HTTPConfig{Probe: probe.New(), Labels: 9}) }, "HTTPConfig.Labels: unknown LabelMode 9")
}

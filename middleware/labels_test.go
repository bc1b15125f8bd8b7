package middleware

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"

	"github.com/google/pprof/profile"
	"github.com/labstack/echo/v4"

	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/label"
)

// seen is what a handler found in its request context.
type seen struct {
	info   *label.Info
	pprof  map[string]string
	header http.Header // soak headers echoed back, if any
}

func captureLabels(ctx context.Context) seen {
	s := seen{info: label.FromContext(ctx), pprof: map[string]string{}}
	pprof.ForLabels(ctx, func(k, v string) bool { s.pprof[k] = v; return true })
	return s
}

func soakHeaders(run, class, user, req string) http.Header {
	h := http.Header{}
	for k, v := range map[string]string{label.HeaderRun: run, label.HeaderClass: class, label.HeaderUser: user, label.HeaderRequest: req} {
		if v != "" {
			h.Set(k, v)
		}
	}
	return h
}

var labelCases = []struct {
	name   string
	mode   LabelMode
	header http.Header
	want   *label.Set // nil: no labels at all
}{
	{"soak request", LabelSoak, soakHeaders("run-7", "AuthenticatedUser", "17", "/api/stories/[slug]"),
		&label.Set{Run: "run-7", Class: "AuthenticatedUser", User: "17", Request: "/api/stories/[slug]"}},
	{"not from soak", LabelSoak, http.Header{"X-Other": {"1"}}, nil},
	{"oversized class ignored", LabelSoak, soakHeaders("", strings.Repeat("C", label.MaxLen+1), "3", ""), &label.Set{User: "3"}},
	{"only malformed headers", LabelSoak, http.Header{
		label.HeaderClass: {"Authenticated User"}, label.HeaderUser: {"1", "2"}, label.HeaderRun: {"rün"},
		label.HeaderRequest: {strings.Repeat("/x", 4000)},
	}, nil},
	{"all requests", LabelAll, nil, &label.Set{}},
	{"off", LabelOff, soakHeaders("run-7", "A", "1", ""), nil},
}

func checkSeen(t *testing.T, name string, got seen, want *label.Set, method, route string) {
	t.Helper()
	if want == nil {
		if got.info != nil || len(got.pprof) != 0 {
			t.Errorf("%s: labelled: %+v %v", name, got.info, got.pprof)
		}
		return
	}
	wantInfo := label.Info{Set: *want, Method: method, Route: route}
	if got.info == nil || *got.info != wantInfo {
		t.Errorf("%s: context Info %+v, want %+v", name, got.info, wantInfo)
	}
	wantPprof := map[string]string{PprofMethod: method, PprofRoute: route}
	for k, v := range map[string]string{PprofRun: want.Run, PprofClass: want.Class, PprofUser: want.User, PprofRequest: want.Request} {
		if v != "" {
			wantPprof[k] = v
		}
	}
	if fmt.Sprint(got.pprof) != fmt.Sprint(wantPprof) {
		t.Errorf("%s: pprof labels %v, want %v", name, got.pprof, wantPprof)
	}
	for k := range got.header {
		if strings.HasPrefix(k, "Soak-") {
			t.Errorf("%s: soak header %s echoed in the response", name, k)
		}
	}
}

func TestEchoLabels(t *testing.T) {
	for _, tc := range labelCases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEcho()
			e.Use(EchoWithConfig(EchoConfig{Probe: probe.New(), Labels: tc.mode}))
			var got seen
			e.GET("/api/stories/:slug", func(c echo.Context) error {
				got = captureLabels(c.Request().Context())
				return c.NoContent(204)
			})
			res := do(t, serve(t, e), "GET", "/api/stories/abc", tc.header, nil)
			got.header = res.header
			checkSeen(t, tc.name, got, tc.want, "GET", "/api/stories/:slug")
		})
	}
}

func TestHTTPLabels(t *testing.T) {
	for _, tc := range labelCases {
		t.Run(tc.name, func(t *testing.T) {
			mux := http.NewServeMux()
			var got seen
			mux.HandleFunc("GET /api/stories/{slug}", func(w http.ResponseWriter, r *http.Request) {
				got = captureLabels(r.Context())
				w.WriteHeader(204)
			})
			h := HTTPWithConfig(HTTPConfig{Probe: probe.New(), Labels: tc.mode})(mux)
			res := do(t, serve(t, h), "GET", "/api/stories/abc", tc.header, nil)
			got.header = res.header
			checkSeen(t, tc.name, got, tc.want, "GET", "GET /api/stories/{slug}")
		})
	}
}

// burnCPU spins for a fixed amount of work (no clock involved).
//
//go:noinline
func burnCPU(n int) uint64 {
	x := uint64(n)
	for i := range 8_000_000 {
		x ^= x<<13 ^ x>>7 ^ uint64(i)
	}
	return x
}

// TestCPUProfileLabels captures a real CPU profile while soak-labelled
// requests burn CPU in their handlers, and finds the route and user class
// on the samples taken inside the handler.
func TestCPUProfileLabels(t *testing.T) {
	mux := http.NewServeMux()
	var sink uint64
	var mu sync.Mutex
	burn := func(w http.ResponseWriter, r *http.Request) {
		v := burnCPU(len(r.URL.Path))
		mu.Lock()
		sink += v
		mu.Unlock()
		w.WriteHeader(204)
	}
	mux.HandleFunc("GET /burn/{n}", burn)
	e := newEcho()
	e.Use(Echo(probe.New()))
	e.GET("/burn/:n", func(c echo.Context) error { burn(c.Response(), c.Request()); return nil })
	servers := map[string]string{"echo": serve(t, e).URL, "http": serve(t, HTTP(probe.New())(mux)).URL}
	routes := map[string]string{"echo": "/burn/:n", "http": "GET /burn/{n}"}

	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		t.Skipf("CPU profiler busy: %v", err)
	}
	for i := range 24 { // bounded: 24 requests of fixed work, about 0.5 s of CPU
		kind := []string{"echo", "http"}[i%2]
		class := []string{"Reader", "Writer"}[i/2%2]
		req, _ := http.NewRequest("GET", servers[kind]+"/burn/"+fmt.Sprint(i), nil)
		req.Header = soakHeaders("run-1", class, fmt.Sprint(i), "")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			pprof.StopCPUProfile()
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	pprof.StopCPUProfile()
	http.DefaultClient.CloseIdleConnections()

	prof, err := profile.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]int{}
	inBurn := 0
	for _, s := range prof.Sample {
		if !sampleIn(s, "burnCPU") {
			continue
		}
		inBurn++
		route, class := s.Label[PprofRoute], s.Label[PprofClass]
		if len(route) != 1 || len(class) != 1 || len(s.Label[PprofRun]) != 1 || s.Label[PprofRun][0] != "run-1" {
			t.Fatalf("a sample in the handler lacks labels: %v", s.Label)
		}
		found[route[0]+" "+class[0]]++
	}
	if inBurn < 8 {
		t.Fatalf("only %d samples in the handler; the machine gave it too little CPU", inBurn)
	}
	t.Logf("%d samples in the handler by route and class: %v", inBurn, found)
	for kind, route := range routes {
		if found[route+" Reader"]+found[route+" Writer"] == 0 {
			t.Errorf("no sample labelled with the %s route %q: %v", kind, route, found)
		}
	}
}

func sampleIn(s *profile.Sample, fn string) bool {
	for _, loc := range s.Location {
		for _, l := range loc.Line {
			if l.Function != nil && strings.HasSuffix(l.Function.Name, "."+fn) {
				return true
			}
		}
	}
	return false
}

// FuzzLabelHeaders sends arbitrary soak header values through the echo
// middleware: a label reaches the context and pprof only exactly as sent
// and valid; anything else is absent. It never panics.
func FuzzLabelHeaders(f *testing.F) {
	f.Add("run-1", "AuthenticatedUser", "17", "/api/stories/[slug]")
	f.Add("", "A B", "1\n2", strings.Repeat("x", 200))
	f.Add("ü", "\x00", "\"", "ok")
	e := newEcho()
	e.Use(Echo(probe.New()))
	var got seen
	e.GET("/s/:id", func(c echo.Context) error {
		got = captureLabels(c.Request().Context())
		return nil
	})
	f.Fuzz(func(t *testing.T, run, class, user, req string) {
		got = seen{}
		r := httptest.NewRequest("GET", "/s/1", nil)
		sent := map[string]string{label.HeaderRun: run, label.HeaderClass: class, label.HeaderUser: user, label.HeaderRequest: req}
		for k, v := range sent {
			r.Header[k] = []string{v}
		}
		e.ServeHTTP(httptest.NewRecorder(), r)
		valid := 0
		for k, v := range sent {
			if label.Valid(v) {
				valid++
			}
			key := map[string]string{label.HeaderRun: PprofRun, label.HeaderClass: PprofClass, label.HeaderUser: PprofUser, label.HeaderRequest: PprofRequest}[k]
			if lv, ok := got.pprof[key]; ok != label.Valid(v) || (ok && lv != v) {
				t.Fatalf("header %s=%q: pprof label %q (present %v)", k, v, lv, ok)
			}
		}
		if (got.info != nil) != (valid > 0) {
			t.Fatalf("%d valid labels, context Info %+v", valid, got.info)
		}
		if got.info != nil && (got.info.Run != validOrEmpty(run) || got.info.Class != validOrEmpty(class) ||
			got.info.User != validOrEmpty(user) || got.info.Request != validOrEmpty(req)) {
			t.Fatalf("context Info %+v for %q %q %q %q", got.info, run, class, user, req)
		}
	})
}

func validOrEmpty(v string) string {
	if label.Valid(v) {
		return v
	}
	return ""
}

// blockedHandler parks until release is closed, for the goroutine profile.
//
//go:noinline
func blockedHandler(entered chan<- struct{}, release <-chan struct{}) {
	entered <- struct{}{}
	<-release
}

// TestGoroutineProfileLabels captures a goroutine profile while a labelled
// request is parked in its handler, and finds the route and user class on
// the handler's goroutine. (fgprof v0.9.5 builds its profiles from
// runtime.GoroutineProfile, which returns no labels: its profiles cannot
// split by label, whatever the middleware does.)
func TestGoroutineProfileLabels(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	e := newEcho()
	e.Use(Echo(probe.New()))
	e.GET("/api/library/shelves", func(c echo.Context) error {
		blockedHandler(entered, release)
		return c.NoContent(204)
	})
	srv := serve(t, e)
	done := make(chan result)
	go func() {
		done <- goDo(t, srv, "GET", "/api/library/shelves", soakHeaders("run-2", "WriterUser", "8", "shelves"))
	}()
	<-entered
	var buf bytes.Buffer
	err := pprof.Lookup("goroutine").WriteTo(&buf, 0)
	close(release)
	if res := <-done; err != nil || res.status != 204 {
		t.Fatalf("profile: %v; request: %d", err, res.status)
	}
	prof, err := profile.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range prof.Sample {
		if !sampleIn(s, "blockedHandler") {
			continue
		}
		if fmt.Sprint(s.Label[PprofRoute], s.Label[PprofClass], s.Label[PprofUser]) != "[/api/library/shelves] [WriterUser] [8]" {
			t.Fatalf("the handler's goroutine has labels %v", s.Label)
		}
		return
	}
	t.Fatal("no goroutine in blockedHandler in the profile")
}

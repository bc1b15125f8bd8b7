package probe_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/soaklab/soak/probe"
)

func get(t *testing.T, url, token string) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

func TestProfilesParse(t *testing.T) {
	p := probe.New()
	srv := httptest.NewServer(p.Handler())
	defer srv.Close()
	for _, name := range []string{"heap", "heap?gc=1", "allocs", "goroutine", "block", "mutex", "threadcreate", "profile?seconds=1", "fgprof?seconds=1"} {
		t.Run(name, func(t *testing.T) {
			code, body, _ := get(t, srv.URL+"/debug/pprof/"+name, "")
			if code != http.StatusOK {
				t.Fatalf("status %d: %s", code, body)
			}
			prof, err := profile.Parse(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("does not parse: %v", err)
			}
			if err := prof.CheckValid(); err != nil {
				t.Fatalf("invalid: %v", err)
			}
			if strings.HasPrefix(name, "goroutine") && len(prof.Sample) == 0 {
				t.Error("goroutine profile without samples")
			}
		})
	}
	for _, d := range []string{"1", "2"} {
		code, body, _ := get(t, srv.URL+"/debug/pprof/goroutine?debug="+d, "")
		if code != http.StatusOK || !bytes.Contains(body, []byte("goroutine")) {
			t.Errorf("goroutine debug=%s: %d %.80s", d, code, body)
		}
	}
	code, body, _ := get(t, srv.URL+"/debug/pprof/trace?seconds=1", "")
	if code != http.StatusOK || !bytes.HasPrefix(body, []byte("go 1.")) {
		t.Errorf("trace: %d %q", code, body[:min(len(body), 16)])
	}
	code, body, _ = get(t, srv.URL+"/debug/pprof/goroutineleak", "")
	if probe.GoroutineLeakProfile() {
		if _, err := profile.Parse(bytes.NewReader(body)); code != http.StatusOK || err != nil {
			t.Errorf("goroutineleak: %d %v", code, err)
		}
	} else if code != http.StatusNotImplemented || !bytes.Contains(body, []byte("GOEXPERIMENT=goroutineleakprofile")) {
		t.Errorf("goroutineleak without the experiment: %d %s", code, body)
	}
}

func TestHandlerErrors(t *testing.T) {
	p := probe.New(probe.WithMaxProfileDuration(5 * time.Second))
	srv := httptest.NewServer(p.Handler())
	defer srv.Close()
	for _, tc := range []struct {
		path string
		code int
	}{
		{"/nope", 404},
		{"/debug/pprof/nope", 404},
		{"/cmdline", 404},
		{"/debug/pprof/cmdline", 404},
		{"/debug/pprof/profile?seconds=abc", 400},
		{"/debug/pprof/profile?seconds=0", 400},
		{"/debug/pprof/profile?seconds=-1", 400},
		{"/debug/pprof/profile?seconds=6", 400},
		{"/debug/pprof/fgprof?seconds=1e3", 400},
		{"/debug/pprof/goroutine?debug=3", 400},
		{"/leaks?min_age=soon", 400},
		{"/leaks?min_age=-1s", 400},
		{"/snapshot", 200},
		{"/leaks?min_age=0s", 200},
		{"/", 200},
		{"/debug/pprof/", 200},
	} {
		if code, body, _ := get(t, srv.URL+tc.path, ""); code != tc.code {
			t.Errorf("%s: %d, want %d (%s)", tc.path, code, tc.code, body)
		}
	}
	resp, err := http.Post(srv.URL+"/snapshot", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", resp.StatusCode)
	}
}

func TestHandlerServesNoSecrets(t *testing.T) {
	t.Setenv("SOAK_PROBE_TEST_SECRET", "s3cr3t-env-value")
	p := probe.New(probe.WithToken("tok-value-1234-5678"))
	p.SetConfig("database_url", "postgres://u:s3cr3t-dsn@db/x")
	srv := httptest.NewServer(p.Handler())
	defer srv.Close()
	for _, path := range []string{"/", "/snapshot", "/leaks", "/debug/pprof/"} {
		_, body, _ := get(t, srv.URL+path, "tok-value-1234-5678")
		for _, s := range []string{"s3cr3t-env-value", "s3cr3t-dsn", "tok-value-1234-5678", os.Args[0]} {
			if bytes.Contains(body, []byte(s)) {
				t.Errorf("%s serves %q", path, s)
			}
		}
	}
}

func TestHandlerToken(t *testing.T) {
	p := probe.New(probe.WithToken("right-0123456789"))
	srv := httptest.NewServer(p.Handler())
	defer srv.Close()
	for _, tc := range []struct {
		token string
		code  int
	}{{"", 401}, {"wrong", 401}, {"right-012345678", 401}, {"right-01234567892", 401}, {"Right-0123456789", 401}, {"right-0123456789", 200}} {
		code, _, h := get(t, srv.URL+"/snapshot", tc.token)
		if code != tc.code {
			t.Errorf("token %q: %d, want %d", tc.token, code, tc.code)
		}
		if code == 401 && !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("401 without WWW-Authenticate: %v", h)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/snapshot", nil)
	req.Header.Set("Authorization", "Basic cmlnaHQ6")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("basic auth: %d", resp.StatusCode)
	}
}

func TestHandlerUnderStripPrefix(t *testing.T) {
	p := probe.New()
	mux := http.NewServeMux()
	mux.Handle("/admin/", http.StripPrefix("/admin", p.Handler()))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	code, body, _ := get(t, srv.URL+"/admin/", "")
	if code != 200 || !bytes.Contains(body, []byte(`href="./snapshot"`)) {
		t.Fatalf("index: %d %s", code, body)
	}
	if code, _, _ := get(t, srv.URL+"/admin/snapshot", ""); code != 200 {
		t.Errorf("snapshot under prefix: %d", code)
	}
	// "/admin" (no slash) is redirected to "/admin/", not to "/".
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	mux2 := http.NewServeMux()
	mux2.Handle("/admin", http.StripPrefix("/admin", p.Handler()))
	srv2 := httptest.NewServer(mux2)
	defer srv2.Close()
	resp, err := client.Get(srv2.URL + "/admin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "/admin/" {
		t.Errorf("redirect to %q", loc)
	}
	c, err := probe.NewClient(srv.URL+"/admin", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Snapshot(context.Background()); err != nil {
		t.Errorf("client under prefix: %v", err)
	}
}

func TestOneCaptureAtATime(t *testing.T) {
	p := probe.New()
	srv := httptest.NewServer(p.Handler())
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan int, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/debug/pprof/profile?seconds=30", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			first <- 0
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	for i := 0; i < 1000 && !probe.CaptureRunning(p); i++ {
		time.Sleep(5 * time.Millisecond)
	}
	if code, body, _ := get(t, srv.URL+"/debug/pprof/fgprof?seconds=1", ""); code != http.StatusConflict {
		t.Errorf("second capture: %d, want 409 (%s)", code, body)
	}
	// The first capture honours its request's context: cancelling ends it
	// long before its 30 seconds.
	cancel()
	select {
	case <-first:
	case <-time.After(20 * time.Second):
		t.Fatal("capture ignored its request's cancellation")
	}
	for i := 0; i < 1000 && probe.CaptureRunning(p); i++ { // the handler ends after the client gave up
		time.Sleep(5 * time.Millisecond)
	}
	if code, _, _ := get(t, srv.URL+"/debug/pprof/profile?seconds=1", ""); code != 200 {
		t.Errorf("capture after the first ended: %d", code)
	}
}

func TestCaptureOutlivesWriteTimeout(t *testing.T) {
	p := probe.New()
	srv := httptest.NewUnstartedServer(p.Handler())
	srv.Config.WriteTimeout = 500 * time.Millisecond
	srv.Start()
	defer srv.Close()
	code, body, _ := get(t, srv.URL+"/debug/pprof/profile?seconds=2", "")
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	if _, err := profile.Parse(bytes.NewReader(body)); err != nil {
		t.Errorf("a 2 s capture behind a 0.5 s WriteTimeout was cut: %v", err)
	}
}

func TestListenLoopbackRule(t *testing.T) {
	p := probe.New()
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0", "192.0.2.1:0"} {
		if s, err := p.Listen(addr); !errors.Is(err, probe.ErrNotLoopback) {
			if s != nil {
				s.Close()
			}
			t.Errorf("Listen(%q) without token: %v, want ErrNotLoopback", addr, err)
		}
	}
	s, err := p.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if w := s.Warning(); w != nil {
		t.Errorf("loopback: warning %v", w)
	}
	c, _ := probe.NewClient(s.URL(), "")
	snap, err := c.Snapshot(context.Background())
	if err != nil || snap.InstanceID != p.InstanceID() {
		t.Errorf("client: %v %v", snap, err)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	if _, err := p.Listen("bad address"); err == nil || !strings.Contains(err.Error(), "bad address") {
		t.Errorf("bad address: %v", err)
	}

	pt := probe.New(probe.WithToken("t0ken-0123456789abc"))
	st, err := pt.Listen("0.0.0.0:0")
	if err != nil {
		t.Fatalf("with a token, all interfaces: %v", err)
	}
	defer st.Close()
	if w := st.Warning(); !errors.Is(w, probe.ErrPlainHTTP) || !strings.Contains(w.Error(), "TLS") || strings.Contains(w.Error(), "t0ken") {
		t.Errorf("all interfaces over plain HTTP with a token: warning %v, want ErrPlainHTTP advising TLS", w)
	}
	url := "http://" + strings.Replace(st.Addr().String(), "0.0.0.0", "127.0.0.1", 1)
	url = strings.Replace(url, "[::]", "127.0.0.1", 1)
	if code, _, _ := get(t, url+"/snapshot", ""); code != 401 {
		t.Errorf("no token: %d", code)
	}
	ct, _ := probe.NewClient(url, "t0ken-0123456789abc")
	if _, err := ct.Snapshot(context.Background()); err != nil {
		t.Errorf("client with token: %v", err)
	}
	cw, _ := probe.NewClient(url, "wrong")
	_, err = cw.Snapshot(context.Background())
	var se *probe.StatusError
	if !errors.Is(err, probe.ErrProbe) || !errors.As(err, &se) || !se.Unauthorized() || se.Code != 401 || strings.Contains(err.Error(), "wrong") {
		t.Errorf("client with a wrong token: %v", err)
	}
	// The hint is whole: a token is not read into the words around it.
	if !strings.Contains(err.Error(), "send the probe's token in the Authorization header") {
		t.Errorf("the hint is mangled: %v", err)
	}
}

// A token shorter than MinTokenLength is refused, without a panic: Listen
// fails naming the option and the variable, and the handler serves
// nothing (503) rather than data behind a guessable token.
func TestShortToken(t *testing.T) {
	p := probe.New(probe.WithToken("k9x7q"))
	if s, err := p.Listen("127.0.0.1:0"); !errors.Is(err, probe.ErrShortToken) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Listen with a 5-byte token: %v, want ErrShortToken", err)
	} else if msg := err.Error(); !strings.Contains(msg, "WithToken") || !strings.Contains(msg, "SOAK_PROBE_TOKEN") || strings.Contains(msg, "k9x7q") {
		t.Errorf("the error should name WithToken and $SOAK_PROBE_TOKEN, not the token: %v", err)
	}
	srv := httptest.NewServer(p.Handler())
	defer srv.Close()
	for _, token := range []string{"", "k9x7q"} {
		if code, body, _ := get(t, srv.URL+"/snapshot", token); code != http.StatusServiceUnavailable || !strings.Contains(string(body), "16 bytes") {
			t.Errorf("token %q: %d %s, want 503 naming the minimum", token, code, body)
		}
	}
	if p := probe.New(probe.WithToken(strings.Repeat("k", probe.MinTokenLength))); p.Handler() == nil {
		t.Error("a token of MinTokenLength bytes refused")
	}
}

// gateWriter is a ResponseWriter whose first Write signals started and
// waits for release: a request held in flight, without a sleep.
type gateWriter struct {
	h        http.Header
	code     int
	started  chan struct{}
	release  chan struct{}
	signaled bool
}

func (g *gateWriter) Header() http.Header { return g.h }
func (g *gateWriter) WriteHeader(c int)   { g.code = c }
func (g *gateWriter) Write(b []byte) (int, error) {
	if !g.signaled {
		g.signaled = true
		close(g.started)
		<-g.release
	}
	return len(b), nil
}

// A heap profile with gc=1 in flight makes another one 429 with
// Retry-After; once it ends, the next is served. Without gc=1, heap
// profiles are not capped.
func TestForcedGCHeapProfileCap(t *testing.T) {
	p := probe.New()
	h := p.Handler()
	g := &gateWriter{h: http.Header{}, started: make(chan struct{}), release: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(g, httptest.NewRequest(http.MethodGet, "/debug/pprof/heap?gc=1", nil))
	}()
	<-g.started
	for i := range 3 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/debug/pprof/heap?gc=1", nil))
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
			t.Errorf("concurrent gc=1 #%d: %d (Retry-After %q), want 429 with Retry-After", i, rec.Code, rec.Header().Get("Retry-After"))
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/debug/pprof/heap", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("heap without gc=1 while one with runs: %d", rec.Code)
	}
	close(g.release)
	<-done
	if g.code != 0 && g.code != http.StatusOK {
		t.Errorf("the first gc=1 profile: %d", g.code)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/debug/pprof/heap?gc=1", nil))
	if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
		t.Errorf("gc=1 after the first ended: %d, %d bytes", rec.Code, rec.Body.Len())
	}
}

func TestListenAndServe(t *testing.T) {
	p := probe.New()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.ListenAndServe(ctx, "127.0.0.1:0") }()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("ListenAndServe after cancel: %v", err)
	}
	if err := p.ListenAndServe(context.Background(), ":0"); !errors.Is(err, probe.ErrNotLoopback) {
		t.Errorf("ListenAndServe(:0): %v", err)
	}
}

func TestClient(t *testing.T) {
	for _, bad := range []string{"", "127.0.0.1:6061", "ftp://x", "http://", "http://u:p@127.0.0.1"} {
		if _, err := probe.NewClient(bad, ""); err == nil {
			t.Errorf("NewClient(%q) accepted", bad)
		}
	}
	p := probe.New()
	p.HTTP().Route("GET", "/x").Done(200, time.Millisecond, 0, 1)
	srv := httptest.NewServer(p.Handler())
	defer srv.Close()
	c, err := probe.NewClient(srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := c.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.Snapshot(ctx)
	if b.Seq != a.Seq+1 || a.InstanceID != p.InstanceID() || !a.StartTime.Equal(p.StartTime()) {
		t.Errorf("seq %d then %d, id %q", a.Seq, b.Seq, a.InstanceID)
	}
	r, _ := a.HTTP.Route("GET", "/x")
	if r.Latency.Quantile(0.5) != time.Millisecond || r.Requests != 1 {
		t.Errorf("route over the wire: %+v", r)
	}
	if _, err := c.Leaks(ctx); err != nil {
		t.Error(err)
	}
	if _, err := c.LeaksMinAge(ctx, 0); err != nil {
		t.Error(err)
	}
	for _, name := range []string{"heap", "goroutine"} {
		raw, err := c.Profile(ctx, name, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := profile.Parse(bytes.NewReader(raw)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if raw, err := c.Profile(ctx, "cpu", 1); err != nil {
		t.Error(err)
	} else if _, err := profile.Parse(bytes.NewReader(raw)); err != nil {
		t.Errorf("cpu: %v", err)
	}
	if _, err := c.Profile(ctx, "cmdline", 0); err == nil {
		t.Error("unknown profile accepted")
	}
	if _, err := c.Profile(ctx, "profile", -1); err == nil {
		t.Error("negative seconds accepted")
	}
	if _, err := c.Profile(ctx, "profile", 1000); !errors.Is(err, probe.ErrProbe) || !strings.Contains(err.Error(), "400") {
		t.Errorf("over the cap: %v", err)
	}
}

// A client asking for a heap profile with GC while another one is taken
// waits its turn (the 429's Retry-After) instead of failing.
func TestClientRetriesForcedGC(t *testing.T) {
	p := probe.New()
	h := p.Handler()
	g := &gateWriter{h: http.Header{}, started: make(chan struct{}), release: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(g, httptest.NewRequest(http.MethodGet, "/debug/pprof/heap?gc=1", nil))
	}()
	<-g.started
	var refused atomic.Int64
	// The first attempt is refused while the gate holds the slot; the
	// gate opens only once that 429 was seen, so the retry is what
	// succeeds.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code == http.StatusTooManyRequests && refused.Add(1) == 1 {
			close(g.release)
			<-done
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}))
	defer srv.Close()
	c, _ := probe.NewClient(srv.URL, "")
	b, err := c.ProfileWithOptions(context.Background(), probe.ProfileHeap, probe.ProfileOptions{GC: true})
	if err != nil || len(b) == 0 || refused.Load() != 1 {
		t.Fatalf("heap with GC beside another: %d bytes, %v, %d refused (want 1, then the retry served)", len(b), err, refused.Load())
	}
}

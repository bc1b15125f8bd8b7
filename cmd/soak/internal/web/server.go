package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/report"
	"github.com/soaklab/soak/internal/loopback"
)

// Bounds and defaults of a [Server].
const (
	// DefaultMaxViewers is Config.MaxViewers when 0: the event streams
	// served at once; one more is answered 503.
	DefaultMaxViewers = 16
	// viewerQueue is each viewer's queue of events; a viewer that falls
	// this far behind is disconnected.
	viewerQueue = 512
	// maxHistory is how many interval, sample and phase events are kept
	// for a viewer that connects late; older ones are dropped.
	maxHistory = 8192
	// writeTimeout bounds one write to a viewer.
	writeTimeout = 10 * time.Second
	// keepAlive is the period of the comment that keeps idle streams open.
	keepAlive = 15 * time.Second
	// maxBody bounds a control's request body.
	maxBody = 1 << 10
)

// Controller changes the running load: *engine.Control is one.
type Controller interface {
	SetUsers(n int) error
	SetRate(r float64) error
	Model() string // "closed", "open", or "" when no load runs
}

// Config configures a [Server]. The zero value serves a read-only page
// on loopback.
type Config struct {
	// Addr is where [Listen] binds, host:port ("127.0.0.1:8089"; port 0
	// picks a free one). A host that is not loopback needs Token.
	Addr string
	// Token, when set, is required on every request (see the package
	// documentation). Never logged, never sent back.
	Token string
	// ReadOnly refuses every control (403).
	ReadOnly bool
	// Control changes users or rate; nil refuses those controls (409).
	Control Controller
	// Stop stops the load gracefully, as the first Ctrl-C; called once,
	// from a request's goroutine. Nil refuses stop (409).
	Stop func()
	// MaxViewers caps the event streams served at once; 0 means
	// DefaultMaxViewers.
	MaxViewers int
}

//go:embed assets
var assets embed.FS

var page = template.Must(template.ParseFS(assets, "assets/page.html"))

// chartStyle is the HTML report's chart geometry and palette as JSON, in
// the page for app.js: one definition for both (engine/report.Style).
var chartStyle = func() string {
	b, err := json.Marshal(report.Style())
	if err != nil {
		panic(err) // a struct of ints and strings always marshals
	}
	return string(b)
}()

// Server is the live view of one run. Its feed methods (Start,
// Interval, Sample, Done) and its handler are safe for concurrent use.
type Server struct {
	cfg     Config
	mux     *http.ServeMux
	csrf    string
	closing chan struct{}
	quit    chan struct{}

	stopOnce, quitOnce, closeOnce sync.Once

	mu      sync.Mutex
	hub     hub
	files   map[string]string // download name -> path, once Done
	done    bool
	viewers int // streams open, for Linger

	feedMu sync.Mutex
	feed   feed

	srv *http.Server
	ln  net.Listener
}

// New returns a Server for cfg, not listening: serve its Handler, or
// use [Listen].
func New(cfg Config) (*Server, error) {
	if cfg.MaxViewers < 0 {
		return nil, fmt.Errorf("web: MaxViewers %d is negative", cfg.MaxViewers)
	}
	if cfg.MaxViewers == 0 {
		cfg.MaxViewers = DefaultMaxViewers
	}
	s := &Server{cfg: cfg, csrf: newSecret(), closing: make(chan struct{}), quit: make(chan struct{}),
		files: map[string]string{}}
	s.hub.init()
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", s.servePage)
	m.HandleFunc("GET /app.js", s.serveAsset("assets/app.js", "text/javascript; charset=utf-8"))
	m.HandleFunc("GET /app.css", s.serveAsset("assets/app.css", "text/css; charset=utf-8"))
	m.HandleFunc("GET /events", s.serveEvents)
	m.HandleFunc("GET /files/{name}", s.serveFile)
	m.HandleFunc("POST /stop", s.control(s.postStop))
	m.HandleFunc("POST /users", s.control(s.postUsers))
	m.HandleFunc("POST /rate", s.control(s.postRate))
	s.mux = m
	return s, nil
}

// Listen checks cfg.Addr (loopback, or a token), binds it and serves
// until [Server.Close].
func Listen(cfg Config) (*Server, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("web: address %q: %v", cfg.Addr, err)
	}
	if cfg.Token == "" && !loopback.Host(host) {
		return nil, ErrNotLoopback
	}
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if cfg.Token == "" && !loopback.Addr(ln.Addr()) { // "localhost" resolved elsewhere
		ln.Close()
		return nil, ErrNotLoopback
	}
	s.ln = ln
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute,
		ErrorLog: log.New(io.Discard, "", 0)} // a viewer's broken connection is not news on the live view
	go s.srv.Serve(ln)
	return s, nil
}

// Addr is the address Listen bound, e.g. "127.0.0.1:40123".
func (s *Server) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// URL is the page's address, without the token.
func (s *Server) URL() string { return "http://" + s.Addr() + "/" }

// Close ends every stream and, after Listen, stops serving. Idempotent.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closing)
		if s.srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if err = s.srv.Shutdown(ctx); err != nil {
				err = s.srv.Close()
			}
		}
	})
	return err
}

// Viewers is the number of event streams open.
func (s *Server) Viewers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.viewers
}

// Linger keeps serving after Done while a viewer is connected, at most
// max, until a viewer presses "close" (POST /stop after the run) or ctx
// is done; it returns at once when no one is watching.
func (s *Server) Linger(ctx context.Context, max time.Duration) {
	t := time.NewTimer(max)
	defer t.Stop()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		n := s.viewers
		s.mu.Unlock()
		if n == 0 {
			return
		}
		select {
		case <-t.C:
			return
		case <-ctx.Done():
			return
		case <-s.quit:
			return
		case <-tick.C:
		}
	}
}

// ServeHTTP checks the token and the Host, then serves the page, the
// stream, the files and the controls.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	if !s.hostAllowed(r) {
		http.Error(w, "web: Host is not loopback", http.StatusMisdirectedRequest)
		return
	}
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="soak"`)
		http.Error(w, "web: missing or wrong token", http.StatusUnauthorized)
		return
	}
	if s.cfg.Token != "" && r.URL.Query().Get("token") != "" && r.Method == http.MethodGet && r.URL.Path == "/" {
		// Keep the token in a cookie, out of the address bar and history.
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.cfg.Token, Path: "/", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy",
		"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
	page.Execute(w, struct {
		CSRF     string
		ReadOnly bool
		Chart    string
	}{s.csrf, s.cfg.ReadOnly, chartStyle})
}

func (s *Server) serveAsset(name, ctype string) http.HandlerFunc {
	b, err := assets.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time: a missing asset is a build defect
	}
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		w.Write(b)
	}
}

// serveFile serves one of the outputs Done listed, by its name only.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	path, ok := s.files[r.PathValue("name")]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	// The report is self-contained HTML: shown sandboxed, its style only.
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	http.ServeFile(w, r, path)
}

// control wraps a POST handler with the checks every control shares.
func (s *Server) control(h func(w http.ResponseWriter, r *http.Request) (int, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		status, err := http.StatusOK, error(nil)
		switch {
		case !sameOrigin(r):
			status, err = http.StatusForbidden, errors.New("web: cross-origin request refused")
		case !equal(r.Header.Get(csrfHeader), s.csrf):
			status, err = http.StatusForbidden, errors.New("web: missing or wrong CSRF token: reload the page")
		case s.cfg.ReadOnly:
			status, err = http.StatusForbidden, errors.New("web: read-only (--web-read-only)")
		default:
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
			status, err = h(w, r)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		out := map[string]any{"ok": err == nil}
		if err != nil {
			out["error"] = err.Error()
		}
		json.NewEncoder(w).Encode(out)
	}
}

// postStop stops the load gracefully; after the run it closes the view.
func (s *Server) postStop(w http.ResponseWriter, r *http.Request) (int, error) {
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	if done {
		s.quitOnce.Do(func() { close(s.quit) })
		return http.StatusOK, nil
	}
	if s.cfg.Stop == nil {
		return http.StatusConflict, errors.New("web: this run cannot be stopped from here")
	}
	s.stopOnce.Do(s.cfg.Stop)
	s.note("stop requested from the web view: the requests in flight finish, then the drain and the outputs")
	return http.StatusOK, nil
}

func (s *Server) postUsers(w http.ResponseWriter, r *http.Request) (int, error) {
	var body struct {
		N *int `json:"n"`
	}
	if err := decode(r, &body); err != nil || body.N == nil {
		return http.StatusBadRequest, errors.New(`web: body must be {"n": users}`)
	}
	return s.change(func(c Controller) error { return c.SetUsers(*body.N) })
}

func (s *Server) postRate(w http.ResponseWriter, r *http.Request) (int, error) {
	var body struct {
		R *float64 `json:"r"`
	}
	if err := decode(r, &body); err != nil || body.R == nil {
		return http.StatusBadRequest, errors.New(`web: body must be {"r": arrivals per second}`)
	}
	return s.change(func(c Controller) error { return c.SetRate(*body.R) })
}

func (s *Server) change(set func(Controller) error) (int, error) {
	if s.cfg.Control == nil {
		return http.StatusConflict, errors.New("web: this run's load cannot be changed from here")
	}
	if err := set(s.cfg.Control); err != nil {
		if errors.Is(err, engine.ErrNotRunning) || errors.Is(err, engine.ErrWrongModel) {
			return http.StatusConflict, err
		}
		return http.StatusBadRequest, err
	}
	return http.StatusOK, nil
}

func decode(r *http.Request, v any) error {
	d := json.NewDecoder(r.Body)
	d.DisallowUnknownFields()
	return d.Decode(v)
}

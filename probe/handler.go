package probe

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"
)

// Handler returns the admin endpoint. It serves, relative to where it is
// mounted (it is safe under http.StripPrefix and never redirects to an
// absolute path):
//
//	/                      index page (links, what this binary supports)
//	/snapshot              the Snapshot as JSON
//	/leaks?min_age=30s     the LeakReport as JSON (default: leak threshold)
//	/debug/pprof/NAME      heap, allocs, goroutine (?debug=1|2), block,
//	                       mutex, threadcreate, goroutineleak
//	/debug/pprof/profile?seconds=N   CPU profile (default 30, capped)
//	/debug/pprof/trace?seconds=N     execution trace (default 1)
//	/debug/pprof/fgprof?seconds=N    fgprof wall-clock profile (default 30)
//
// Only GET and HEAD are allowed (405). Unknown paths get 404, bad
// parameters 400, a second concurrent CPU-type capture 409, a heap
// profile with gc=1 while [MaxForcedGC] run 429 (Retry-After: 1), with
// [WithToken] a missing or wrong "Authorization: Bearer" 401, and every
// request 503 when the token is too short ([ErrShortToken]). A panic in a
// handler is recovered and answered with 500; it never reaches the host.
// Nothing from the command line, environment or configuration secrets is
// served.
func (p *Probe) Handler() http.Handler {
	p.init()
	return http.HandlerFunc(p.serveHTTP)
}

func (p *Probe) serveHTTP(w http.ResponseWriter, r *http.Request) {
	rw := &trackingWriter{ResponseWriter: w}
	defer func() {
		if v := recover(); v != nil {
			p.panics.Add(1)
			defer func() { _ = recover() }() // the writer itself may be what panicked
			if !rw.wrote {
				httpError(rw, http.StatusInternalServerError, "probe: internal error")
			}
		}
	}()
	if p.opts.tokenErr != nil {
		httpError(rw, http.StatusServiceUnavailable, p.opts.tokenErr.Error())
		return
	}
	if !p.authorized(r) {
		rw.Header().Set("WWW-Authenticate", `Bearer realm="soak probe"`)
		httpError(rw, http.StatusUnauthorized, "unauthorized: send the probe's token in the Authorization header")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		rw.Header().Set("Allow", "GET, HEAD")
		httpError(rw, http.StatusMethodNotAllowed, "only GET and HEAD")
		return
	}
	path := r.URL.Path
	switch {
	case path == "":
		// Mounted with StripPrefix("/admin") and asked for "/admin":
		// relative links need the trailing slash.
		http.Redirect(rw, r, strings.SplitN(r.RequestURI, "?", 2)[0]+"/", http.StatusMovedPermanently)
	case path == "/" || path == "/debug/pprof/":
		p.serveIndex(rw, r)
	case path == "/snapshot":
		p.serveSnapshot(rw, r)
	case path == "/leaks":
		p.serveLeaks(rw, r)
	case strings.HasPrefix(path, "/debug/pprof/"):
		name := strings.TrimPrefix(path, "/debug/pprof/")
		switch name {
		case ProfileCPU, ProfileTrace, ProfileFGProf:
			p.serveCapture(rw, r, name)
		default:
			for _, n := range lookupProfiles {
				if n == name {
					p.serveLookup(rw, r, name)
					return
				}
			}
			httpError(rw, http.StatusNotFound, "no profile "+name)
		}
	default:
		if h := p.mounted(path); h != nil {
			h.ServeHTTP(rw, r)
			return
		}
		httpError(rw, http.StatusNotFound, "not found; see the index at ./")
	}
}

// maxMounts bounds the handlers added with Handle.
const maxMounts = 16

// Handle serves h at the exact path (e.g. "/metrics") of the admin
// handler, behind the same token check and panic recovery. It refuses
// (with an error naming the path) an empty or relative path, a path the
// probe serves itself, and more than 16 handlers.
func (p *Probe) Handle(path string, h http.Handler) error {
	p.init()
	switch {
	case h == nil:
		return fmt.Errorf("probe: Handle(%q): nil handler", path)
	case !strings.HasPrefix(path, "/") || path == "/" || path == "/snapshot" || path == "/leaks" || strings.HasPrefix(path, "/debug/pprof/"):
		return fmt.Errorf("probe: Handle(%q): want an absolute path the probe does not serve itself", path)
	}
	p.mountMu.Lock()
	defer p.mountMu.Unlock()
	if len(p.mounts) >= maxMounts {
		return fmt.Errorf("probe: Handle(%q): at most %d handlers", path, maxMounts)
	}
	if p.mounts == nil {
		p.mounts = map[string]http.Handler{}
	}
	p.mounts[path] = h
	return nil
}

func (p *Probe) mounted(path string) http.Handler {
	p.mountMu.Lock()
	defer p.mountMu.Unlock()
	return p.mounts[path]
}

func (p *Probe) authorized(r *http.Request) bool {
	if p.opts.token == "" {
		return true
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(p.opts.token))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

func (p *Probe) serveSnapshot(w http.ResponseWriter, r *http.Request) {
	s, err := p.Snapshot(r.Context())
	if err != nil {
		httpError(w, http.StatusServiceUnavailable, "snapshot: "+err.Error())
		return
	}
	writeJSON(w, s)
}

func (p *Probe) serveLeaks(w http.ResponseWriter, r *http.Request) {
	minAge := p.opts.leakThreshold
	if s := r.URL.Query().Get("min_age"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			httpError(w, http.StatusBadRequest, "parameter min_age="+strconvQuote(s)+": want a duration such as 30s or 0s")
			return
		}
		minAge = d
	}
	writeJSON(w, p.Leaks(minAge))
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}

func httpError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Del("Content-Disposition")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(msg + "\n"))
}

func strconvQuote(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// trackingWriter notes whether the response has started, so a recovered
// panic does not write a second header. It keeps http.ResponseController
// working through Unwrap.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(code int) { t.wrote = true; t.ResponseWriter.WriteHeader(code) }
func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}
func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// Flush implements http.Flusher.
func (t *trackingWriter) Flush() {
	t.wrote = true
	_ = http.NewResponseController(t.ResponseWriter).Flush()
}

var indexTmpl = template.Must(template.New("index").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>soak probe {{.ID}}</title></head>
<body><h1>soak probe</h1>
<p>Instance {{.ID}}, started {{.Start}}. Counters are cumulative since start.</p>
<ul>
<li><a href="{{.Base}}snapshot">snapshot</a> (JSON)</li>
<li><a href="{{.Base}}leaks">leaks</a> held longer than {{.Threshold}} (<a href="{{.Base}}leaks?min_age=0s">all holds</a>)</li>
</ul>
<h2>Profiles</h2>
<ul>
{{range .Lookup}}<li><a href="{{$.Base}}debug/pprof/{{.}}">{{.}}</a>{{if eq . "goroutine"}} (<a href="{{$.Base}}debug/pprof/goroutine?debug=1">debug=1</a>, <a href="{{$.Base}}debug/pprof/goroutine?debug=2">debug=2</a>){{end}}</li>
{{end}}<li><a href="{{.Base}}debug/pprof/profile?seconds=10">profile</a>: CPU, ?seconds=1..{{.MaxSeconds}}</li>
<li><a href="{{.Base}}debug/pprof/trace?seconds=1">trace</a>: execution trace</li>
<li><a href="{{.Base}}debug/pprof/fgprof?seconds=10">fgprof</a>: wall-clock (on- and off-CPU)</li>
<li>goroutineleak: {{if .Leak}}available{{else}}not available: {{.NoLeak}}{{end}}</li>
</ul>
<p>One CPU profile, trace or fgprof capture runs at a time. Block and mutex profiles are empty unless the
service sets runtime.SetBlockProfileRate / runtime.SetMutexProfileFraction.</p>
</body></html>
`))

func (p *Probe) serveIndex(w http.ResponseWriter, r *http.Request) {
	base := "./"
	if r.URL.Path == "/debug/pprof/" {
		base = "../../"
	}
	var lookup []string
	for _, n := range lookupProfiles {
		if n != ProfileGoroutineLeak || GoroutineLeakProfile() {
			lookup = append(lookup, n)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = indexTmpl.Execute(w, map[string]any{
		"ID": p.id, "Start": p.t0.UTC().Format(time.RFC3339), "Base": base,
		"Threshold": p.opts.leakThreshold.String(), "Lookup": lookup,
		"MaxSeconds": int(p.opts.maxProfile / time.Second), "Leak": GoroutineLeakProfile(), "NoLeak": noLeakProfile,
	})
}

package middleware

import (
	"net/http"

	"github.com/soaklab/soak/middleware/internal/measure"
	"github.com/soaklab/soak/probe"
)

// HTTPConfig configures the net/http middleware [HTTPWithConfig].
type HTTPConfig struct {
	// Skipper lets requests through unrecorded when it returns true.
	// Optional; default nil (record everything).
	Skipper func(r *http.Request) bool

	// Probe receives the figures. Required.
	Probe *probe.Probe

	// Labels says which requests get request labels (context and pprof).
	// Optional; default LabelSoak (only requests soak sent).
	Labels LabelMode

	// Mux is the ServeMux that routes the requests, used to learn a
	// labelled request's route before the handler runs (for the context
	// and pprof labels; the route recorded is always r.Pattern afterwards).
	// It is asked (ServeMux.Handler, which allocates for a pattern with
	// wildcards) for the first labelled request of each method and soak
	// request name; later requests of that name take the route the mux
	// chose for the previous one, until a request of the name is routed
	// elsewhere (that one request carries the previous route in its
	// labels), after which that name's requests ask the mux again.
	// Optional; when the wrapped handler is itself a *http.ServeMux it is
	// used. Without one, labels carry no route.
	Mux *http.ServeMux
}

// DefaultHTTPConfig is the default configuration; Probe must still be set.
var DefaultHTTPConfig = HTTPConfig{Labels: LabelSoak}

// HTTP returns net/http middleware recording every request into p with the
// default configuration. See [HTTPWithConfig].
func HTTP(p *probe.Probe) func(http.Handler) http.Handler {
	cfg := DefaultHTTPConfig
	cfg.Probe = p
	return HTTPWithConfig(cfg)
}

// HTTPWithConfig returns net/http middleware that records each request into
// cfg.Probe under its method and route pattern (r.Pattern, set by the
// ServeMux it wraps; requests that matched no pattern share
// [UnmatchedRoute]): status written (200 when nothing was, 101 after a
// hijack), latency, request body bytes (Content-Length, or the bytes read
// when it is not declared) and response body bytes. The route is known only
// once the mux ran, so requests in flight are counted in the probe's global
// gauge (HTTPStats.Begin/End), not per route.
//
// Wrap the ServeMux itself (r.Pattern is set on the request the mux gets: a
// handler between them that replaces the request, such as
// http.StripPrefix, hides it). The handler is given a ResponseWriter that
// implements http.Flusher and http.Hijacker exactly when the server's does,
// io.ReaderFrom, and Unwrap for http.NewResponseController. A panic passes
// through unchanged (net/http recovers it) and is recorded as a 500.
//
// Without labels it does not allocate (BenchmarkHTTP). It panics if
// cfg.Probe is nil.
func HTTPWithConfig(cfg HTTPConfig) func(http.Handler) http.Handler {
	if cfg.Probe == nil {
		panic("middleware: HTTPConfig.Probe is required")
	}
	if err := cfg.Labels.Validate(); err != nil {
		panic("middleware: HTTPConfig.Labels: " + err.Error())
	}
	stats := cfg.Probe.HTTP()
	labeler, hints := NewLabeler(), newRouteHints()
	return func(next http.Handler) http.Handler {
		labels := &httpLabels{mode: cfg.Labels, labeler: labeler, hints: hints, mux: cfg.Mux}
		if labels.mux == nil {
			labels.mux, _ = next.(*http.ServeMux)
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if cfg.Skipper != nil && cfg.Skipper(r) {
				next.ServeHTTP(w, r)
				return
			}
			method := MethodLabel(r.Method)
			body, bytesIn := measure.CountBody(r)
			rw, view := wrapWriter(w)
			req := r // the request the mux sets Pattern on
			start := measure.Monotonic()
			stats.Begin()
			status := http.StatusInternalServerError // unless the handler returns
			defer func() {
				stats.Route(method, httpRoute(req)).Record(status, measure.Monotonic()-start, body.Total(bytesIn), rw.written)
				stats.End()
				rw.release()
			}()
			if vs, ok := labels.mode.Lookup(r.Header); ok {
				labels.serve(next, view, r, vs, method, &req)
			} else {
				next.ServeHTTP(view, r)
			}
			status = rw.finalStatus()
		})
	}
}

// httpLabels labels the requests of one net/http middleware: its mode,
// Labeler and route hints, and the ServeMux that routes the requests.
type httpLabels struct {
	mode    LabelMode
	labeler *Labeler
	hints   *routeHints
	mux     *http.ServeMux // nil: labels carry no route
}

// serve serves r with next, labelled when h.mode wants its labels, and
// sets *req to the request next was given (the one the mux sets Pattern
// on) before next runs.
func (h *httpLabels) serve(next http.Handler, w http.ResponseWriter, r *http.Request, vs []string, method string, req **http.Request) {
	labels := h.labeler.ParseValues(vs)
	if !h.mode.Wants(labels.Set) {
		next.ServeHTTP(w, r)
		return
	}
	route, hinted := "", false
	if h.mux != nil {
		if route, hinted = h.hints.route(method, labels); !hinted {
			route = muxRoute(h.mux, r)
		}
	}
	lr := h.labeler.Begin(r, labels, method, route)
	*req = lr
	defer h.labeler.End(lr)
	next.ServeHTTP(w, lr)
	// A remembered route the mux confirmed needs no update.
	if actual := httpRoute(lr); h.mux != nil && (!hinted || actual != route) {
		h.hints.learn(method, labels, actual)
	}
}

// muxRoute asks mux which pattern r will match, for labels set before the
// mux runs: "" without a mux, UnmatchedRoute when nothing matches.
func muxRoute(mux *http.ServeMux, r *http.Request) string {
	if mux == nil {
		return ""
	}
	if _, pattern := mux.Handler(r); pattern != "" {
		return pattern
	}
	return UnmatchedRoute
}

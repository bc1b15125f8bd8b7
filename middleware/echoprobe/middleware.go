package echoprobe

import (
	"net/http"

	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/soaklab/soak/middleware"
	"github.com/soaklab/soak/middleware/internal/measure"
	"github.com/soaklab/soak/probe"
)

// MiddlewareConfig configures the echo middleware [MiddlewareWithConfig].
type MiddlewareConfig struct {
	// Skipper lets requests through unrecorded when it returns true.
	// Optional; default echomw.DefaultSkipper (record everything).
	Skipper echomw.Skipper

	// Probe receives the figures. Required.
	Probe *probe.Probe

	// Labels says which requests get request labels (context and pprof).
	// Optional; default middleware.LabelSoak (only requests soak sent).
	Labels middleware.LabelMode

	// HandleError makes the middleware call the global error handler
	// (c.Error) for an error the handler returns, and return nil, as echo's
	// RequestLogger does with the same option: the status and bytes
	// recorded are then exactly what the error handler wrote, even with a
	// custom Echo#HTTPErrorHandler. Optional; by default the error is
	// returned upstream and its status resolved as echo's
	// DefaultHTTPErrorHandler would: an *echo.HTTPError's code (or that of
	// its Internal *echo.HTTPError), 500 for any other error, and the status
	// already sent when the response was committed before the error.
	HandleError bool
}

// DefaultMiddlewareConfig is the default configuration; Probe must still
// be set.
var DefaultMiddlewareConfig = MiddlewareConfig{
	Skipper: echomw.DefaultSkipper,
	Labels:  middleware.LabelSoak,
}

// Middleware returns the echo middleware recording every request into p
// with the default configuration. See [MiddlewareWithConfig].
func Middleware(p *probe.Probe) echo.MiddlewareFunc {
	cfg := DefaultMiddlewareConfig
	cfg.Probe = p
	return MiddlewareWithConfig(cfg)
}

// MiddlewareWithConfig returns echo middleware that records each request
// into cfg.Probe under its method and route template (c.Path(); requests
// that matched no route share middleware.UnmatchedRoute): in-flight gauge,
// status, latency from the middleware's start to the handler's return,
// request body bytes (Content-Length, or the bytes read when it is not
// declared) and response body bytes. It labels requests as cfg.Labels
// says.
//
// Register it with e.Use (after routing, so c.Path() is known), before
// echo's Recover: a panic in the handler passes through unchanged to Recover
// (or to net/http) and is recorded as a 500. 429s from any rate limiter
// after it are recorded like any status.
//
// Without labels it allocates nothing beyond the closure that echo v4
// creates for every middleware on every request (BenchmarkMiddleware). It
// panics if cfg.Probe is nil (a programmer error, as in echo's own
// middleware).
func MiddlewareWithConfig(cfg MiddlewareConfig) echo.MiddlewareFunc {
	if cfg.Probe == nil {
		panic("echoprobe: MiddlewareConfig.Probe is required")
	}
	if err := cfg.Labels.Validate(); err != nil {
		panic("echoprobe: MiddlewareConfig.Labels: " + err.Error())
	}
	if cfg.Skipper == nil {
		cfg.Skipper = DefaultMiddlewareConfig.Skipper
	}
	rec := &recorder{cfg: cfg, stats: cfg.Probe.HTTP(), labeler: middleware.NewLabeler()}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		// echo v4 calls this for every request (it applies middleware per
		// request), so the closure is one allocation per request: it
		// holds two pointers (24 bytes) rather than the configuration.
		return func(c echo.Context) error { return rec.serve(next, c) }
	}
}

// recorder is the state of one [MiddlewareWithConfig] middleware, shared
// by all its requests (safe for concurrent use).
type recorder struct {
	cfg     MiddlewareConfig
	stats   *probe.HTTPStats
	labeler *middleware.Labeler
}

// serveLabelled serves req with next, labelled when the configured mode
// wants its labels (kept out of serve, whose unlabelled path stays small);
// vs are its label header values, looked up once by serve.
func (m *recorder) serveLabelled(next echo.HandlerFunc, c echo.Context, req *http.Request, vs []string, method, route string) error {
	labels := m.labeler.ParseValues(vs)
	if !m.cfg.Labels.Wants(labels.Set) {
		return next(c)
	}
	lr := m.labeler.Begin(req, labels, method, route)
	c.SetRequest(lr)
	defer m.labeler.End(lr)
	return next(c)
}

// serve records one request that next handles.
func (m *recorder) serve(next echo.HandlerFunc, c echo.Context) (err error) {
	if m.cfg.Skipper(c) {
		return next(c)
	}
	req := c.Request()
	method := middleware.MethodLabel(req.Method)
	route := routeOf(c)
	rs := m.stats.Route(method, route)
	body, bytesIn := measure.CountBody(req)
	res := c.Response()
	start := measure.Monotonic()
	rs.Start()
	finished := false
	defer func() {
		if !finished { // a panic is passing through
			rs.Done(http.StatusInternalServerError, measure.Monotonic()-start, body.Total(bytesIn), res.Size)
		}
	}()

	if vs, ok := m.cfg.Labels.Lookup(req.Header); ok {
		err = m.serveLabelled(next, c, req, vs, method, route)
	} else {
		err = next(c)
	}
	if err != nil && m.cfg.HandleError {
		c.Error(err)
		err = nil
	}
	finished = true
	rs.Done(echoStatus(res, err), measure.Monotonic()-start, body.Total(bytesIn), res.Size)
	return err
}

// echoStatus is the status the client gets for a request whose handler
// returned err: what was written if the response is committed (or no error
// is pending), else what echo's DefaultHTTPErrorHandler will write.
func echoStatus(res *echo.Response, err error) int {
	if err == nil || res.Committed {
		return res.Status
	}
	he, ok := err.(*echo.HTTPError)
	if !ok {
		return http.StatusInternalServerError
	}
	if inner, ok := he.Internal.(*echo.HTTPError); ok {
		he = inner
	}
	return he.Code
}

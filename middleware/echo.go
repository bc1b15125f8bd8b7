package middleware

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/label"
)

// EchoConfig configures the echo middleware [EchoWithConfig].
type EchoConfig struct {
	// Skipper lets requests through unrecorded when it returns true.
	// Optional; default echomw.DefaultSkipper (record everything).
	Skipper echomw.Skipper

	// Probe receives the figures. Required.
	Probe *probe.Probe

	// Labels says which requests get request labels (context and pprof).
	// Optional; default LabelSoak (only requests soak sent).
	Labels LabelMode

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

// DefaultEchoConfig is the default configuration; Probe must still be set.
var DefaultEchoConfig = EchoConfig{
	Skipper: echomw.DefaultSkipper,
	Labels:  LabelSoak,
}

// Echo returns the echo middleware recording every request into p with the
// default configuration. See [EchoWithConfig].
func Echo(p *probe.Probe) echo.MiddlewareFunc {
	cfg := DefaultEchoConfig
	cfg.Probe = p
	return EchoWithConfig(cfg)
}

// EchoWithConfig returns echo middleware that records each request into
// cfg.Probe under its method and route template (c.Path(); requests that
// matched no route share [UnmatchedRoute]): in-flight gauge, status, latency
// from the middleware's start to the handler's return, request body bytes
// (Content-Length, or the bytes read when it is not declared) and response
// body bytes. It labels requests as cfg.Labels says.
//
// Register it with e.Use (after routing, so c.Path() is known), before
// echo's Recover: a panic in the handler passes through unchanged to Recover
// (or to net/http) and is recorded as a 500. 429s from any rate limiter
// after it are recorded like any status.
//
// Without labels it allocates nothing beyond the closure that echo v4
// creates for every middleware on every request (BenchmarkEcho). It panics
// if cfg.Probe is nil (a programmer error, as in echo's own middleware).
func EchoWithConfig(cfg EchoConfig) echo.MiddlewareFunc {
	if cfg.Probe == nil {
		panic("middleware: EchoConfig.Probe is required")
	}
	if err := cfg.Labels.validate(); err != nil {
		panic("middleware: EchoConfig.Labels: " + err.Error())
	}
	if cfg.Skipper == nil {
		cfg.Skipper = DefaultEchoConfig.Skipper
	}
	stats := cfg.Probe.HTTP()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			if cfg.Skipper(c) {
				return next(c)
			}
			req := c.Request()
			method := methodLabel(req.Method)
			route := echoRoute(c)
			rs := stats.Route(method, route)
			body, bytesIn := countBody(req)
			res := c.Response()
			start := monotonic()
			rs.Start()
			finished := false
			defer func() {
				if !finished { // a panic is passing through
					rs.Done(http.StatusInternalServerError, monotonic()-start, body.total(bytesIn), res.Size)
				}
			}()

			var set label.Set
			if cfg.Labels != LabelOff {
				set = label.Parse(req.Header)
			}
			if cfg.Labels.wants(set) {
				info := &label.Info{Set: set, Method: method, Route: route}
				runLabeled(req.Context(), info, func(ctx context.Context) {
					c.SetRequest(req.WithContext(ctx))
					err = next(c)
				})
			} else {
				err = next(c)
			}
			if err != nil && cfg.HandleError {
				c.Error(err)
				err = nil
			}
			finished = true
			rs.Done(echoStatus(res, err), monotonic()-start, body.total(bytesIn), res.Size)
			return err
		}
	}
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

package middleware

import (
	"net/http"
	"reflect"

	"github.com/labstack/echo/v4"
)

// UnmatchedRoute is the route label of every request that matched no route
// (404 from the router, or 405 because the path exists for other methods):
// all of them share it, so that scanners and typos cannot grow the probe's
// route table.
const UnmatchedRoute = "(unmatched)"

// MethodOther is the method label of requests whose method is not one of
// the standard ones (RFC 9110, PATCH and WebDAV's PROPFIND and REPORT).
const MethodOther = "OTHER"

// methodLabel bounds the set of method labels. It returns the argument
// itself (no allocation) for standard methods.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions,
		http.MethodConnect, http.MethodTrace, echo.PROPFIND, echo.REPORT:
		return m
	}
	return MethodOther
}

// echoRoute returns the route template of an echo request: c.Path(), or
// [UnmatchedRoute] when the router found no route for the method and path.
// Call it before the handler runs: a handler may change c.Path().
func echoRoute(c echo.Context) string {
	p := c.Path()
	if p == "" || isEcho404(c.Handler()) {
		return UnmatchedRoute
	}
	return p
}

// isEcho404 reports whether h is echo's NotFoundHandler or
// MethodNotAllowedHandler, which the router installs when nothing matched.
// Functions are not comparable in Go; their code pointers are. The package
// variables are read on every call, so an application that replaces
// echo.NotFoundHandler is still recognised.
func isEcho404(h echo.HandlerFunc) bool {
	if h == nil {
		return true
	}
	p := reflect.ValueOf(h).Pointer()
	return p == reflect.ValueOf(echo.NotFoundHandler).Pointer() ||
		p == reflect.ValueOf(echo.MethodNotAllowedHandler).Pointer()
}

// httpRoute returns the route label of a net/http request after a ServeMux
// has routed it: r.Pattern, or [UnmatchedRoute] when empty.
func httpRoute(r *http.Request) string {
	if r.Pattern == "" {
		return UnmatchedRoute
	}
	return r.Pattern
}

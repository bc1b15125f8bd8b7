package echoprobe

import (
	"reflect"

	"github.com/labstack/echo/v4"

	"github.com/soaklab/soak/middleware"
)

// routeOf returns the route template of an echo request: c.Path(), or
// middleware.UnmatchedRoute when the router found no route for the method
// and path. Call it before the handler runs: a handler may change
// c.Path().
func routeOf(c echo.Context) string {
	p := c.Path()
	if p == "" || isEcho404(c.Handler()) {
		return middleware.UnmatchedRoute
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

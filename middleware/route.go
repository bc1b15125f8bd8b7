package middleware

import "net/http"

// UnmatchedRoute is the route label of every request that matched no route
// (404 from the router, or 405 because the path exists for other methods):
// all of them share it, so that scanners and typos cannot grow the probe's
// route table.
const UnmatchedRoute = "(unmatched)"

// MethodOther is the method label of requests whose method is not one of
// the standard ones (RFC 9110, PATCH and WebDAV's PROPFIND and REPORT).
const MethodOther = "OTHER"

// MethodLabel is the method label a request is recorded under: the method
// itself (no allocation) for the standard ones, [MethodOther] for the
// rest, so that the set of labels is bounded.
func MethodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions,
		http.MethodConnect, http.MethodTrace, "PROPFIND", "REPORT":
		return m
	}
	return MethodOther
}

// httpRoute returns the route label of a net/http request after a ServeMux
// has routed it: r.Pattern, or [UnmatchedRoute] when empty.
func httpRoute(r *http.Request) string {
	if r.Pattern == "" {
		return UnmatchedRoute
	}
	return r.Pattern
}

package middleware

import (
	"strings"
	"sync/atomic"
)

// routeHintSlots is the number of (method, request name) pairs a
// [routeHints] remembers, a power of two: about 200 KB at most with long
// names.
const routeHintSlots = 1024

// routeHints remembers, per HTTP method and soak request name, the route
// pattern the ServeMux chose for the last labelled request of that name,
// so that the net/http middleware can put the route on a labelled
// request's pprof labels before the mux runs without asking the mux first
// (ServeMux.Handler allocates for every pattern with a wildcard, and routes
// the request a second time). A soak request name nearly always stands for
// one route ("/api/stories/[slug]" for "GET /api/stories/{slug}").
//
// After each labelled request the middleware tells it the route the mux
// actually chose. A name seen with two different routes (a name that
// spans several patterns, a request redirected, a pattern registered
// later) is marked mixed, and its requests go back to asking the mux first:
// only the request that revealed it (or the few that ran at that moment)
// carried the remembered route instead of its own.
//
// A [slotTable]: lock-free, bounded (a pair that collides with another
// replaces it), safe for concurrent use. A [Labeler]'s cached header value
// keeps the hint its last request used (the value names one request), so
// that the next request with the value finds it without hashing.
type routeHints struct {
	table slotTable[[2]string, routeHint]
}

// routeHint is one remembered pair. Its strings are copies: the table
// does not pin requests' memory.
type routeHint struct {
	method, request, route string
	mixed                  atomic.Bool // seen with different routes: ask the mux
}

func newRouteHints() *routeHints {
	return &routeHints{table: newSlotTable[[2]string, routeHint](routeHintSlots)}
}

// route returns the remembered route of method and labels' request name,
// ok=false when there is none or the name is mixed. It asks the hint kept
// by labels' cached header value first: labels must be as [Labeler.Parse]
// returned them (the net/http middleware does not change them), so that
// the value's request name is labels'.
func (h *routeHints) route(method string, labels Labels) (route string, ok bool) {
	v := labels.value
	var e *routeHint
	if v != nil {
		e = v.hint.Load()
	}
	if e == nil || e.method != method { // the value's request name is e's
		e = h.table.slot([2]string{method, labels.Request}).Load()
		if e == nil || e.method != method || e.request != labels.Request {
			return "", false
		}
		if v != nil {
			v.hint.Store(e)
		}
	}
	if e.mixed.Load() {
		return "", false
	}
	return e.route, true
}

// learn records that the mux chose route for a labelled request of method
// and labels' request name. A route that differs from the remembered one
// marks the name mixed. The hint kept by labels' header value is dropped
// when it was not the table's (replaced by a colliding name since), so that
// the next request reads the table's.
func (h *routeHints) learn(method string, labels Labels, route string) {
	request := labels.Request
	s := h.table.slot([2]string{method, request})
	e := s.Load()
	if v := labels.value; v != nil && v.hint.Load() != e {
		v.hint.Store(nil)
	}
	if e != nil && e.method == method && e.request == request {
		if e.route != route {
			e.mixed.Store(true)
		}
		return
	}
	s.Store(&routeHint{method: strings.Clone(method), request: strings.Clone(request), route: strings.Clone(route)})
}

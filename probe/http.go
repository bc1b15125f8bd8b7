package probe

import (
	"sync/atomic"
	"time"

	"github.com/soaklab/soak/probe/internal/cowmap"
	"github.com/soaklab/soak/probe/internal/stripe"
)

// OverflowRoute is the route template under which requests are recorded
// once the route table is full (see [WithMaxRoutes]).
const OverflowRoute = "(other routes)"

// Identity kinds for [RouteStats.RateLimited].
const (
	IdentityUser   = "user"   // an authenticated user id
	IdentityHeader = "header" // a header such as an API key id
	IdentityIP     = "ip"     // the client address
)

// HTTPStats is the per-route store of server-side HTTP figures. The
// middleware records into it; the probe only reads it. Get it from
// [Probe.HTTP]. All methods are safe for concurrent use.
type HTTPStats struct {
	routes   cowmap.Map[routeKey, *RouteStats] // lookups take no lock
	max      int
	overflow *RouteStats
	inFlight *stripe.Int64
}

type routeKey struct{ method, route string }

func (s *HTTPStats) init(max int) {
	s.max = max
	s.inFlight = stripe.NewInt64()
	s.overflow = newRouteStats("", OverflowRoute, s)
}

// Route returns the recorder for a method and route template, creating it
// on first use. Pass the template ("/api/stories/:slug", r.Pattern), never
// the raw URL: the table holds at most [WithMaxRoutes] entries, and
// requests of further routes share the [OverflowRoute] entry. It does not
// allocate when the route exists. An empty route is recorded as "(none)".
func (s *HTTPStats) Route(method, route string) *RouteStats {
	if route == "" {
		route = "(none)"
	}
	r, ok := s.routes.LoadOrCreate(routeKey{method, route}, s.max, func() *RouteStats {
		return newRouteStats(method, route, s)
	})
	if !ok {
		return s.overflow
	}
	return r
}

// Begin counts a request in flight whose route is not known yet (net/http
// learns r.Pattern only after the mux ran). Pair it with [HTTPStats.End],
// then record the outcome with [RouteStats.Record].
func (s *HTTPStats) Begin() { s.inFlight.Add(1) }

// End ends a request counted by [HTTPStats.Begin].
func (s *HTTPStats) End() { s.inFlight.Add(-1) }

// InFlight returns the requests in flight on all routes.
func (s *HTTPStats) InFlight() int64 { return max(s.inFlight.Load(), 0) }

// RouteStats records the requests of one route. All methods are safe for
// concurrent use and do not allocate (except the first latency in a new
// histogram row).
//
// The counters every request writes are striped (one 128-byte block per
// processor, stripe.Count of them, at most 16): cores recording requests
// of one route at once write different cache lines
// (BenchmarkRouteDone, two goroutines on one route).
type RouteStats struct {
	method, route string
	parent        *HTTPStats
	hot           []routeStripe
	limited       [4]atomic.Uint64 // user, header, ip, other
	latency       Latency
}

// routeStripe is one stripe of a route's per-request counters: 11 of
// 8 bytes, padded to a 128-byte block.
type routeStripe struct {
	inFlight  atomic.Int64
	requests  atomic.Uint64
	classes   [6]atomic.Uint64 // 1xx..5xx, then other
	status429 atomic.Uint64
	bytesIn   atomic.Uint64
	bytesOut  atomic.Uint64
	_         [128 - 11*8]byte
}

func newRouteStats(method, route string, parent *HTTPStats) *RouteStats {
	return &RouteStats{method: method, route: route, parent: parent, hot: make([]routeStripe, stripe.Count)}
}

// Method returns the route's HTTP method.
func (r *RouteStats) Method() string { return r.method }

// Template returns the route template.
func (r *RouteStats) Template() string { return r.route }

// Start counts a request of this route in flight (and in the global
// in-flight gauge). Pair it with [RouteStats.Done].
func (r *RouteStats) Start() {
	i := stripe.Index()
	r.hot[i].inFlight.Add(1)
	r.parent.inFlight.AddAt(i, 1)
}

// Done ends a request counted by [RouteStats.Start] and records it: status
// code, server-side latency d, request and response body bytes (negative =
// unknown, not counted).
func (r *RouteStats) Done(status int, d time.Duration, bytesIn, bytesOut int64) {
	i := stripe.Index()
	r.hot[i].inFlight.Add(-1)
	r.parent.inFlight.AddAt(i, -1)
	r.record(i, status, d, bytesIn, bytesOut)
}

// Record records a finished request without touching the in-flight gauges
// (for requests counted by [HTTPStats.Begin]/[HTTPStats.End]).
func (r *RouteStats) Record(status int, d time.Duration, bytesIn, bytesOut int64) {
	r.record(stripe.Index(), status, d, bytesIn, bytesOut)
}

// record is Record on stripe i.
func (r *RouteStats) record(i, status int, d time.Duration, bytesIn, bytesOut int64) {
	h := &r.hot[i]
	h.requests.Add(1)
	c := status/100 - 1
	if c < 0 || c > 4 {
		c = 5
	}
	h.classes[c].Add(1)
	if status == 429 {
		h.status429.Add(1)
	}
	if bytesIn > 0 {
		h.bytesIn.Add(uint64(bytesIn))
	}
	if bytesOut > 0 {
		h.bytesOut.Add(uint64(bytesOut))
	}
	r.latency.Record(d)
}

// RateLimited counts a denial by the middleware's own rate limiter, by the
// kind of identity that was limited ([IdentityUser], [IdentityHeader],
// [IdentityIP]; anything else counts as "other"). The 429 response itself
// is recorded by Done like any other status; 429s from other limiters show
// only there.
func (r *RouteStats) RateLimited(identityKind string) {
	i := 3
	switch identityKind {
	case IdentityUser:
		i = 0
	case IdentityHeader:
		i = 1
	case IdentityIP:
		i = 2
	}
	r.limited[i].Add(1)
}

func (r *RouteStats) snapshot() RouteSnapshot {
	s := RouteSnapshot{
		Method:            r.method,
		Route:             r.route,
		RateLimitedUser:   r.limited[0].Load(),
		RateLimitedHeader: r.limited[1].Load(),
		RateLimitedIP:     r.limited[2].Load(),
		RateLimitedOther:  r.limited[3].Load(),
	}
	var classes [6]uint64
	for i := range r.hot {
		h := &r.hot[i]
		s.InFlight += h.inFlight.Load()
		s.Requests += h.requests.Load()
		for c := range classes {
			classes[c] += h.classes[c].Load()
		}
		s.Status429 += h.status429.Load()
		s.BytesIn += h.bytesIn.Load()
		s.BytesOut += h.bytesOut.Load()
	}
	// A request that started on one stripe and ended on another can be
	// read half-way; the gauge is never below zero.
	s.InFlight = max(s.InFlight, 0)
	s.Status1xx, s.Status2xx, s.Status3xx, s.Status4xx, s.Status5xx, s.StatusOther =
		classes[0], classes[1], classes[2], classes[3], classes[4], classes[5]
	s.Latency = r.latency.Snapshot()
	return s
}

func (s *HTTPStats) snapshot() HTTPSnapshot {
	routes := s.routes.Values()
	out := HTTPSnapshot{InFlight: max(s.inFlight.Load(), 0), MaxRoutes: s.max, Routes: make([]RouteSnapshot, 0, len(routes)+1)}
	for _, r := range routes {
		out.Routes = append(out.Routes, r.snapshot())
	}
	if o := s.overflow.snapshot(); o.Requests > 0 || o.InFlight != 0 {
		out.Routes = append(out.Routes, o)
	}
	return out
}

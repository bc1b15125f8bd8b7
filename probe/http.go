package probe

import (
	"sync/atomic"
	"time"

	"github.com/soaklab/soak/probe/internal/cowmap"
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
	inFlight atomic.Int64
}

type routeKey struct{ method, route string }

func (s *HTTPStats) init(max int) {
	s.max = max
	s.overflow = &RouteStats{method: "", route: OverflowRoute, parent: s}
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
		return &RouteStats{method: method, route: route, parent: s}
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
func (s *HTTPStats) InFlight() int64 { return s.inFlight.Load() }

// RouteStats records the requests of one route. All methods are safe for
// concurrent use and do not allocate (except the first latency in a new
// histogram row).
type RouteStats struct {
	method, route string
	parent        *HTTPStats

	inFlight  atomic.Int64
	requests  atomic.Uint64
	classes   [6]atomic.Uint64 // 1xx..5xx, then other
	status429 atomic.Uint64
	bytesIn   atomic.Uint64
	bytesOut  atomic.Uint64
	limited   [4]atomic.Uint64 // user, header, ip, other
	latency   Latency
}

// Method returns the route's HTTP method.
func (r *RouteStats) Method() string { return r.method }

// Template returns the route template.
func (r *RouteStats) Template() string { return r.route }

// Start counts a request of this route in flight (and in the global
// in-flight gauge). Pair it with [RouteStats.Done].
func (r *RouteStats) Start() {
	r.inFlight.Add(1)
	r.parent.inFlight.Add(1)
}

// Done ends a request counted by [RouteStats.Start] and records it: status
// code, server-side latency d, request and response body bytes (negative =
// unknown, not counted).
func (r *RouteStats) Done(status int, d time.Duration, bytesIn, bytesOut int64) {
	r.inFlight.Add(-1)
	r.parent.inFlight.Add(-1)
	r.Record(status, d, bytesIn, bytesOut)
}

// Record records a finished request without touching the in-flight gauges
// (for requests counted by [HTTPStats.Begin]/[HTTPStats.End]).
func (r *RouteStats) Record(status int, d time.Duration, bytesIn, bytesOut int64) {
	r.requests.Add(1)
	c := status/100 - 1
	if c < 0 || c > 4 {
		c = 5
	}
	r.classes[c].Add(1)
	if status == 429 {
		r.status429.Add(1)
	}
	if bytesIn > 0 {
		r.bytesIn.Add(uint64(bytesIn))
	}
	if bytesOut > 0 {
		r.bytesOut.Add(uint64(bytesOut))
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
		InFlight:          r.inFlight.Load(),
		Requests:          r.requests.Load(),
		Status1xx:         r.classes[0].Load(),
		Status2xx:         r.classes[1].Load(),
		Status3xx:         r.classes[2].Load(),
		Status4xx:         r.classes[3].Load(),
		Status5xx:         r.classes[4].Load(),
		StatusOther:       r.classes[5].Load(),
		Status429:         r.status429.Load(),
		BytesIn:           r.bytesIn.Load(),
		BytesOut:          r.bytesOut.Load(),
		RateLimitedUser:   r.limited[0].Load(),
		RateLimitedHeader: r.limited[1].Load(),
		RateLimitedIP:     r.limited[2].Load(),
		RateLimitedOther:  r.limited[3].Load(),
	}
	s.Latency = r.latency.Snapshot()
	return s
}

func (s *HTTPStats) snapshot() HTTPSnapshot {
	routes := s.routes.Values()
	out := HTTPSnapshot{InFlight: s.inFlight.Load(), MaxRoutes: s.max, Routes: make([]RouteSnapshot, 0, len(routes)+1)}
	for _, r := range routes {
		out.Routes = append(out.Routes, r.snapshot())
	}
	if o := s.overflow.snapshot(); o.Requests > 0 || o.InFlight != 0 {
		out.Routes = append(out.Routes, o)
	}
	return out
}

package probe

import (
	"context"
	"slices"
	"time"

	"github.com/soaklab/soak/internal/redact"
)

// Snapshot is everything the probe knows at one instant. It is the JSON
// served at /snapshot and read back by [Client.Snapshot], and what
// [Probe.Snapshot] returns in process.
//
// Counters (fields documented as cumulative, histograms) count since the
// probe started: a reader subtracts consecutive snapshots of the same
// InstanceID to get rates for an interval. Gauges (in flight, held, idle,
// bytes in use) are values at Time. Units are in the field names.
type Snapshot struct {
	// Seq increases by one with every snapshot the probe takes (in process
	// or over HTTP), so a reader can tell missed samples.
	Seq        uint64    `json:"seq"`
	Time       time.Time `json:"time"`
	StartTime  time.Time `json:"start_time"`
	InstanceID string    `json:"instance_id"`
	// UptimeSeconds is Time - StartTime.
	UptimeSeconds float64 `json:"uptime_seconds"`

	// Config holds the values set with [Probe.SetConfig] (and pool max,
	// Redis maxmemory found by the instruments).
	Config map[string]string `json:"config,omitempty"`
	// RateLimits lists the rate-limit policies in force, by limiter
	// name (sorted): those soak's middleware enforces and those the
	// service declared with [Probe.DeclareRateLimit]. Each is typed:
	// Limit requests per Period (JSON: period_ns, nanoseconds), Burst,
	// Algorithm, and whom it limits (Key, Fallback, Shared). Absent when
	// none was declared; the same policies are in Config[ConfigRateLimit]
	// as text.
	RateLimits []RateLimitDeclaration `json:"rate_limits,omitempty"`
	// Without lists what the service declared it does not have
	// ([Probe.Without]): no database, no Redis, each with the service's
	// reason, sorted by component. [Snapshot.Absent] reads it.
	Without []Absence       `json:"without,omitempty"`
	Runtime RuntimeSnapshot `json:"runtime"`
	Process ProcessSnapshot `json:"process"`
	HTTP    HTTPSnapshot    `json:"http"`
	Caches  []CacheSnapshot `json:"caches,omitempty"`
	Pools   []PoolSnapshot  `json:"pools,omitempty"`
	Redis   []RedisSnapshot `json:"redis,omitempty"`
	Leaks   LeakSummary     `json:"leaks"`
	// ProbePanics counts panics the probe recovered from (admin handlers,
	// pgx tracer, go-redis hook), cumulative. Nonzero is a probe bug.
	ProbePanics uint64 `json:"probe_panics,omitempty"`
	// Errors lists what could not be read for this snapshot (a database
	// or Redis that went down, a /proc file missing), each prefixed by
	// its source. The rest of the snapshot is still valid.
	Errors []string `json:"errors,omitempty"`
}

// HTTPSnapshot is the route store: one entry per (method, route template).
type HTTPSnapshot struct {
	// InFlight counts requests being served now, on all routes.
	InFlight  int64           `json:"in_flight"`
	MaxRoutes int             `json:"max_routes"`
	Routes    []RouteSnapshot `json:"routes"`
}

// RouteSnapshot holds one route's figures, cumulative except InFlight.
type RouteSnapshot struct {
	Method   string `json:"method"`
	Route    string `json:"route"`
	InFlight int64  `json:"in_flight"`
	// Requests counts finished requests.
	Requests    uint64 `json:"requests"`
	Status1xx   uint64 `json:"status_1xx"`
	Status2xx   uint64 `json:"status_2xx"`
	Status3xx   uint64 `json:"status_3xx"`
	Status4xx   uint64 `json:"status_4xx"`
	Status5xx   uint64 `json:"status_5xx"`
	StatusOther uint64 `json:"status_other"`
	// Status429 counts 429 responses from any limiter (also in Status4xx).
	Status429 uint64 `json:"status_429"`
	BytesIn   uint64 `json:"bytes_in"`
	BytesOut  uint64 `json:"bytes_out"`
	// RateLimited* count denials by the middleware's own limiter, by the
	// kind of identity limited.
	RateLimitedUser   uint64 `json:"rate_limited_user"`
	RateLimitedHeader uint64 `json:"rate_limited_header"`
	RateLimitedIP     uint64 `json:"rate_limited_ip"`
	RateLimitedOther  uint64 `json:"rate_limited_other"`
	// Latency is the server-side time from the middleware's start to the
	// response, in microseconds.
	Latency Histogram `json:"latency"`
}

// CacheSnapshot holds one cache's figures. Hits, Misses and Evictions are
// cumulative; the rest are gauges, 0 when not reported.
type CacheSnapshot struct {
	Name string `json:"name"`
	// Kind is [CacheInProcess] or [CacheRedis].
	Kind            string  `json:"kind"`
	Hits            uint64  `json:"hits"`
	Misses          uint64  `json:"misses"`
	HitRatio        float64 `json:"hit_ratio"` // cumulative Hits/(Hits+Misses), 0 when none
	Evictions       uint64  `json:"evictions"`
	Entries         int64   `json:"entries"`
	CapacityEntries int64   `json:"capacity_entries"`
	UsedBytes       int64   `json:"used_bytes"`
	MaxBytes        int64   `json:"max_bytes"`
}

// Snapshot reads every instrument and returns the probe's state. It never
// fails because a database or Redis is down: such errors are listed in
// Snapshot.Errors and in the instrument's own Error field (both redacted
// of secrets). It returns an error only when ctx is done. Servers are
// queried (Redis INFO, pg_stat_activity) at most once per poll interval
// ([WithPollInterval]), bounded by ctx.
func (p *Probe) Snapshot(ctx context.Context) (*Snapshot, error) {
	p.init()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := p.now()
	s := &Snapshot{
		Seq:           p.seq.Add(1),
		Time:          now,
		StartTime:     p.t0,
		InstanceID:    p.id,
		UptimeSeconds: now.Sub(p.t0).Seconds(),
	}
	s.Runtime = p.rt.read()
	var errs []string
	s.Process, errs = readProcess()
	s.Errors = append(s.Errors, errs...)
	s.HTTP = p.http.snapshot()
	for _, src := range p.pools.list() {
		ps := src.PoolSnapshot(ctx, now)
		ps.Error = redact.Text(ps.Error)
		if ps.Error != "" {
			s.Errors = append(s.Errors, "pool "+ps.Name+": "+ps.Error)
		}
		s.Pools = append(s.Pools, ps)
	}
	for _, src := range p.redis.list() {
		rs := src.RedisSnapshot(ctx, now)
		rs.Error = redact.Text(rs.Error)
		if rs.Error != "" {
			s.Errors = append(s.Errors, "redis "+rs.Name+": "+rs.Error)
		}
		s.Redis = append(s.Redis, rs)
	}
	cbDeadline := time.Now().Add(CacheFuncTimeout)
	for _, c := range p.caches.list() {
		cs := c.Snapshot()
		if cb, ok, why := c.fn.read(ctx, cbDeadline); ok {
			cs.merge(cb)
			if why != "" {
				s.Errors = append(s.Errors, "cache "+cs.Name+": "+why)
			}
		}
		s.Caches = append(s.Caches, cs)
	}
	s.Config = p.Config()
	s.RateLimits = p.rateLimitDeclarations()
	s.Without = p.absences()
	s.ProbePanics = p.panics.Load()
	for _, ps := range s.Pools {
		s.ProbePanics += ps.TracerPanics
	}
	for _, rs := range s.Redis {
		s.ProbePanics += rs.HookPanics
	}
	s.Leaks = p.leakSummary(now)
	slices.Sort(s.Errors)
	for i := range s.Errors {
		s.Errors[i] = redact.Text(s.Errors[i])
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

// Route returns the route snapshot for method and route, if present.
func (s *HTTPSnapshot) Route(method, route string) (RouteSnapshot, bool) {
	return find(s.Routes, func(r RouteSnapshot) bool { return r.Method == method && r.Route == route })
}

// find returns the first element of xs that match accepts.
func find[T any](xs []T, match func(T) bool) (T, bool) {
	for _, x := range xs {
		if match(x) {
			return x, true
		}
	}
	var zero T
	return zero, false
}

// Cache returns the cache snapshot called name, if present.
func (s *Snapshot) Cache(name string) (CacheSnapshot, bool) {
	return find(s.Caches, func(x CacheSnapshot) bool { return x.Name == name })
}

// Pool returns the pool snapshot called name, if present.
func (s *Snapshot) Pool(name string) (PoolSnapshot, bool) {
	return find(s.Pools, func(x PoolSnapshot) bool { return x.Name == name })
}

// RedisClient returns the Redis snapshot called name, if present.
func (s *Snapshot) RedisClient(name string) (RedisSnapshot, bool) {
	return find(s.Redis, func(x RedisSnapshot) bool { return x.Name == name })
}

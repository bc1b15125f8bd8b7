package capture

import (
	"time"

	"github.com/soaklab/soak/probe"
)

// Point is the part of one probe snapshot the detectors trend, small
// enough to keep for every sample of a day-long run. Counters are
// cumulative since the probe started, as in [probe.Snapshot]; gauges are
// values at Time.
type Point struct {
	// Time is when the sample was received, on the engine's clock.
	Time  time.Time `json:"time"`
	Phase Phase     `json:"phase"`
	// Seq is the probe's snapshot sequence number.
	Seq uint64 `json:"seq"`

	LiveHeapBytes uint64  `json:"live_heap_bytes"` // heap marked live by the last GC
	GCCycles      uint64  `json:"gc_cycles"`       // cumulative
	Goroutines    int64   `json:"goroutines"`
	RSSBytes      int64   `json:"rss_bytes"`
	CPUSeconds    float64 `json:"cpu_seconds"` // process CPU, cumulative
	Cores         float64 `json:"cores"`       // CPU the process may use: the cgroup quota, else GOMAXPROCS
	MemoryLimit   int64   `json:"memory_limit_bytes"`

	HTTPRequests uint64 `json:"http_requests"` // cumulative, every route
	HTTP429      uint64 `json:"http_429"`      // cumulative
	RateLimited  uint64 `json:"rate_limited"`  // denials by the middleware's limiter, cumulative
	InFlight     int64  `json:"in_flight"`
	// ServerMicros is the server-side latency summed over every request,
	// cumulative, µs.
	ServerMicros int64 `json:"server_us"`

	Pools  []PoolPoint  `json:"pools,omitempty"`
	Redis  []RedisPoint `json:"redis,omitempty"`
	Caches []CachePoint `json:"caches,omitempty"`
	// LeakSuspects counts holds older than the probe's leak threshold.
	LeakSuspects int `json:"leak_suspects"`
}

// PoolPoint is one pgx pool in a Point.
type PoolPoint struct {
	Name         string  `json:"name"`
	Acquired     int32   `json:"acquired"`
	Max          int32   `json:"max"`
	Total        int32   `json:"total"`
	Held         int     `json:"held"`
	AcquireCount int64   `json:"acquire_count"`       // cumulative
	EmptyAcquire int64   `json:"empty_acquire_count"` // cumulative
	WaitSeconds  float64 `json:"wait_seconds"`        // empty-acquire wait, cumulative
	// Canceled counts acquires that gave up (their context ended while
	// they waited), cumulative: pgxpool counts them apart from the empty
	// acquires, which are successful waits only.
	Canceled int64 `json:"canceled_acquire_count,omitempty"`
	// AcquireSeconds is the time spent in successful acquires, cumulative.
	AcquireSeconds float64 `json:"acquire_seconds,omitempty"`
	// Waiting counts acquires waiting at the sample (the tracer's gauge).
	Waiting int `json:"waiting,omitempty"`
	// QueryMicros and Queries sum every statement, cumulative.
	QueryMicros int64 `json:"query_us"`
	Queries     int64 `json:"queries"`
	// HeldAtAcquire is the tracer's count of acquires by the connections
	// held once each had its own, cumulative (probe.PoolSnapshot's field
	// of that name): between two points, the highest entry that grew is
	// the most connections held at once. Nil from a probe without it.
	HeldAtAcquire []uint64 `json:"held_at_acquire,omitempty"`
}

// RedisPoint is one go-redis client in a Point.
type RedisPoint struct {
	Name            string `json:"name"`
	Hits            uint64 `json:"hits"`   // cache hits, cumulative
	Misses          uint64 `json:"misses"` // cache misses, cumulative
	HeldOutsidePool int    `json:"held_outside_pool"`
	OpenPubSub      int    `json:"open_pubsub"`
	UsedMemory      int64  `json:"used_memory_bytes"`
	MaxMemory       int64  `json:"max_memory_bytes"`
	// PoolWaits counts, cumulatively, commands that waited for a
	// connection because every connection of the client's pool was in
	// use; PoolTimeouts the waits that gave up (go-redis's PoolTimeout);
	// PoolWaitSeconds the time the successful waits took.
	PoolWaits       int64   `json:"pool_waits,omitempty"`
	PoolTimeouts    int64   `json:"pool_timeouts,omitempty"`
	PoolWaitSeconds float64 `json:"pool_wait_seconds,omitempty"`
	// PoolPending counts commands waiting for a connection at the sample
	// (a wait is counted in PoolWaits only when it ends).
	PoolPending int `json:"pool_pending,omitempty"`
	// PoolUnread: the probe could not read the client's pool statistics
	// (probe.RedisSnapshot.PoolUnread): the Pool fields are not
	// measurements.
	PoolUnread bool `json:"pool_unread,omitempty"`
	// PoolInUse counts the pool's connections not idle at the sample
	// (running a command, or taken out with Conn or PubSub), PoolSize
	// the most it opens (0: not known).
	PoolInUse int `json:"pool_in_use,omitempty"`
	PoolSize  int `json:"pool_size,omitempty"`
	// BlockedClients is the server's INFO blocked_clients: connections of
	// any client of that Redis waiting in a blocking command (BLPOP, WAIT,
	// ...) at the last INFO poll; 0 when not read.
	BlockedClients int64 `json:"blocked_clients,omitempty"`
}

// CachePoint is one cache (in-process or Redis) in a Point.
type CachePoint struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Hits      uint64 `json:"hits"`
	Misses    uint64 `json:"misses"`
	Entries   int64  `json:"entries"`
	Capacity  int64  `json:"capacity"`
	UsedBytes int64  `json:"used_bytes"`
	MaxBytes  int64  `json:"max_bytes"`
}

// NewPoint extracts the trended figures of s, received at t in phase ph.
func NewPoint(t time.Time, ph Phase, s *probe.Snapshot) Point {
	p := Point{
		Time: t, Phase: ph, Seq: s.Seq,
		LiveHeapBytes: s.Runtime.LiveHeapBytes,
		GCCycles:      s.Runtime.GCCycles,
		Goroutines:    s.Runtime.Goroutines,
		RSSBytes:      s.Process.RSSBytes,
		CPUSeconds:    s.Process.CPUSeconds,
		Cores:         float64(s.Runtime.GOMAXPROCS),
		MemoryLimit:   s.Process.MemoryLimitBytes,
		InFlight:      s.HTTP.InFlight,
		LeakSuspects:  s.Leaks.Suspects,
	}
	if c := s.Process.CgroupCPULimitCores; c > 0 && c < p.Cores {
		p.Cores = c
	}
	for i := range s.HTTP.Routes {
		r := &s.HTTP.Routes[i]
		p.HTTPRequests += r.Requests
		p.HTTP429 += r.Status429
		p.RateLimited += r.RateLimitedUser + r.RateLimitedHeader + r.RateLimitedIP + r.RateLimitedOther
		p.ServerMicros += r.Latency.SumMicros
	}
	for i := range s.Pools {
		ps := &s.Pools[i]
		pp := PoolPoint{
			Name: ps.Name, Acquired: ps.AcquiredConns, Max: ps.MaxConns, Total: ps.TotalConns, Held: ps.HeldConns,
			AcquireCount: ps.AcquireCount, EmptyAcquire: ps.EmptyAcquireCount, WaitSeconds: ps.EmptyAcquireWaitSeconds,
			Canceled: ps.CanceledAcquireCount, AcquireSeconds: ps.AcquireSeconds, Waiting: ps.WaitingAcquires,
			HeldAtAcquire: ps.HeldAtAcquire,
		}
		for j := range ps.Statements {
			pp.QueryMicros += ps.Statements[j].Latency.SumMicros
			pp.Queries += ps.Statements[j].Latency.Count
		}
		p.Pools = append(p.Pools, pp)
	}
	for i := range s.Redis {
		rs := &s.Redis[i]
		rp := RedisPoint{Name: rs.Name, Hits: rs.CacheHits, Misses: rs.CacheMisses,
			HeldOutsidePool: rs.HeldOutsidePool, OpenPubSub: rs.OpenPubSub,
			PoolWaits: int64(rs.Pool.WaitCount), PoolTimeouts: int64(rs.Pool.Timeouts), PoolWaitSeconds: rs.Pool.WaitSeconds,
			PoolPending: int(rs.Pool.PendingRequests), PoolUnread: rs.PoolUnread,
			PoolInUse: max(int(rs.Pool.TotalConns)-int(rs.Pool.IdleConns), 0), PoolSize: rs.Pool.PoolSize}
		if rs.Server != nil {
			rp.UsedMemory, rp.MaxMemory = rs.Server.UsedMemory, rs.Server.MaxMemoryBytes
			rp.BlockedClients = rs.Server.BlockedClients
		}
		p.Redis = append(p.Redis, rp)
	}
	for _, c := range s.Caches {
		p.Caches = append(p.Caches, CachePoint{Name: c.Name, Kind: c.Kind, Hits: c.Hits, Misses: c.Misses,
			Entries: c.Entries, Capacity: c.CapacityEntries, UsedBytes: c.UsedBytes, MaxBytes: c.MaxBytes})
	}
	return p
}

// RedisClient returns the RedisPoint called name, or nil.
func (p *Point) RedisClient(name string) *RedisPoint {
	for i := range p.Redis {
		if p.Redis[i].Name == name {
			return &p.Redis[i]
		}
	}
	return nil
}

// Pool returns the PoolPoint called name, or nil.
func (p *Point) Pool(name string) *PoolPoint {
	for i := range p.Pools {
		if p.Pools[i].Name == name {
			return &p.Pools[i]
		}
	}
	return nil
}

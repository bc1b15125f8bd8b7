package probe

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"
)

// RedisSnapshot holds one go-redis client's figures. Counters are
// cumulative; InFlightCommands, OpenPubSub and HeldOutsidePool are gauges.
type RedisSnapshot struct {
	Name     string            `json:"name"`
	Commands []CommandSnapshot `json:"commands"`
	// CacheHits and CacheMisses count cache reads as the service sees
	// them (also in Snapshot.Caches under this client's name).
	CacheHits        uint64            `json:"cache_hits"`
	CacheMisses      uint64            `json:"cache_misses"`
	InFlightCommands int64             `json:"in_flight_commands"`
	Pool             RedisPoolSnapshot `json:"pool"`
	// OpenPubSub counts PubSub connections open now.
	OpenPubSub          int     `json:"open_pubsub"`
	OldestPubSubSeconds float64 `json:"oldest_pubsub_seconds"`
	// HeldOutsidePool estimates connections taken from the pool and not
	// running a command: TotalConns - IdleConns - InFlightCommands, at
	// least 0. A value that stays above 0 with no load is a Conn() that
	// was never closed.
	HeldOutsidePool int              `json:"held_outside_pool"`
	Server          *RedisServerInfo `json:"server,omitempty"`
	HookPanics      uint64           `json:"hook_panics,omitempty"`
	// Error is the last I/O error seen (connection refused, timeout) or
	// the INFO poll's failure, while recent.
	Error string `json:"error,omitempty"`
}

// CommandSnapshot holds one command's figures, cumulative. A redis.Nil
// reply is not an error.
type CommandSnapshot struct {
	Name    string    `json:"name"`
	Calls   uint64    `json:"calls"`
	Errors  uint64    `json:"errors"`
	Latency Histogram `json:"latency"`
}

// RedisPoolSnapshot is the client's PoolStats(), named for what the fields
// count. Note that go-redis's PoolStats().Hits counts connections reused
// from the pool, not cache hits: here it is PoolReuseHits.
type RedisPoolSnapshot struct {
	TotalConns      uint32  `json:"total_conns"`
	IdleConns       uint32  `json:"idle_conns"`
	StaleConns      uint32  `json:"stale_conns"`
	PoolReuseHits   uint32  `json:"pool_reuse_hits"`
	PoolReuseMisses uint32  `json:"pool_reuse_misses"`
	Timeouts        uint32  `json:"timeouts"`
	WaitCount       uint32  `json:"wait_count"`
	WaitSeconds     float64 `json:"wait_seconds"`
	PendingRequests uint32  `json:"pending_requests"`
	Unusable        uint32  `json:"unusable"`
	PubSubActive    uint32  `json:"pubsub_active"`
}

func (r *Redis) snapshot(ctx context.Context, now time.Time) RedisSnapshot {
	s := RedisSnapshot{Name: r.name, InFlightCommands: r.inFlight.Load(), HookPanics: r.panics.Load()}
	cmds := r.cmds.Values()
	if r.overflow.calls.Load() > 0 {
		cmds = append(cmds, &r.overflow)
	}
	for _, c := range cmds {
		s.Commands = append(s.Commands, CommandSnapshot{Name: c.name, Calls: c.calls.Load(), Errors: c.errors.Load(), Latency: c.latency.snapshot()})
	}
	slices.SortStableFunc(s.Commands, func(a, b CommandSnapshot) int { return cmp.Compare(b.Calls, a.Calls) })
	s.CacheHits, s.CacheMisses = r.cache.hits.Load(), r.cache.misses.Load()
	r.pubsubMu.Lock()
	for _, h := range r.pubsub {
		s.OpenPubSub++
		s.OldestPubSubSeconds = max(s.OldestPubSubSeconds, r.p.stampAt(now).sub(h.since).Seconds())
	}
	r.pubsubMu.Unlock()
	if r.client == nil {
		s.Error = "no client"
		return s
	}
	if ps := r.client.PoolStats(); ps != nil {
		s.Pool = RedisPoolSnapshot{
			TotalConns: ps.TotalConns, IdleConns: ps.IdleConns, StaleConns: ps.StaleConns,
			PoolReuseHits: ps.Hits, PoolReuseMisses: ps.Misses, Timeouts: ps.Timeouts,
			WaitCount: ps.WaitCount, WaitSeconds: time.Duration(ps.WaitDurationNs).Seconds(),
			PendingRequests: ps.PendingRequests, Unusable: ps.Unusable, PubSubActive: ps.PubSubStats.Active,
		}
		s.HeldOutsidePool = max(0, int(ps.TotalConns)-int(ps.IdleConns)-int(s.InFlightCommands))
	}
	info, ierr := r.info.poll(ctx, r.client, now, r.p.opts.pollInterval)
	s.Server = info
	if info != nil {
		r.cache.SetUsedBytes(info.UsedMemory)
		r.cache.SetMaxBytes(info.MaxMemoryBytes)
		mm := "unlimited"
		if info.MaxMemoryBytes > 0 {
			mm = strconv.FormatInt(info.MaxMemoryBytes, 10) + " bytes"
		}
		r.p.setConfigDefault(ConfigRedisMaxMemory, mm+" ("+info.MaxMemoryPolicy+")")
	}
	s.Error = r.lastErr.Recent(now, r.p.opts.pollInterval)
	if ierr != "" {
		s.Error = ierr
	}
	return s
}

func (r *Redis) heldOutsidePool() int {
	if r.client == nil {
		return 0
	}
	ps := r.client.PoolStats()
	if ps == nil {
		return 0
	}
	return max(0, int(ps.TotalConns)-int(ps.IdleConns)-int(r.inFlight.Load()))
}

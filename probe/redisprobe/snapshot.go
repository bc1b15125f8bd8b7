package redisprobe

import (
	"cmp"
	"context"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/soaklab/soak/probe"
)

// source is what New registers with the probe: a probe.RedisSource,
// probe.HoldLister and probe.HoldCounter. (Hook's own method set stays that of a redis.Hook.)
type source struct{ r *Hook }

// RedisSnapshot implements probe.RedisSource.
func (s source) RedisSnapshot(ctx context.Context, now time.Time) probe.RedisSnapshot {
	return s.r.snapshot(ctx, now)
}

// AppendHolds implements probe.HoldLister.
func (s source) AppendHolds(dst []probe.Held) []probe.Held { return s.r.appendHolds(dst) }

// AppendCounts implements probe.HoldCounter.
func (s source) AppendCounts(dst []probe.Held) []probe.Held { return s.r.appendCounts(dst) }

// Close implements io.Closer for probe.Probe.Close: it closes the
// connection the INFO polls use (the service's client is left alone).
func (s source) Close() error { return s.r.info.close() }

var (
	_ probe.RedisSource = source{}
	_ probe.HoldLister  = source{}
	_ probe.HoldCounter = source{}
	_ io.Closer         = source{}
)

func (r *Hook) snapshot(ctx context.Context, now time.Time) probe.RedisSnapshot {
	s := probe.RedisSnapshot{Name: r.name, InFlightCommands: r.inFlight.Load(), HookPanics: r.panics.Load()}
	cmds := r.cmds.Values()
	if r.overflow.calls.Load() > 0 {
		cmds = append(cmds, &r.overflow)
	}
	for _, c := range cmds {
		s.Commands = append(s.Commands, probe.CommandSnapshot{Name: c.name, Calls: c.calls.Load(), Errors: c.errors.Load(), Latency: c.latency.Snapshot()})
	}
	slices.SortStableFunc(s.Commands, func(a, b probe.CommandSnapshot) int { return cmp.Compare(b.Calls, a.Calls) })
	cs := r.cache.Snapshot()
	s.CacheHits, s.CacheMisses = cs.Hits, cs.Misses
	r.pubsubMu.Lock()
	for _, h := range r.pubsub {
		s.OpenPubSub++
		s.OldestPubSubSeconds = max(s.OldestPubSubSeconds, r.p.ElapsedAt(h, now).Seconds())
	}
	r.pubsubMu.Unlock()
	if r.client == nil {
		s.Error, s.PoolUnread = "no client", true
		return s
	}
	ps := r.client.PoolStats()
	s.PoolUnread = ps == nil
	if ps != nil {
		s.Pool = probe.RedisPoolSnapshot{
			TotalConns: ps.TotalConns, IdleConns: ps.IdleConns, StaleConns: ps.StaleConns,
			PoolReuseHits: ps.Hits, PoolReuseMisses: ps.Misses, Timeouts: ps.Timeouts,
			WaitCount: ps.WaitCount, WaitSeconds: time.Duration(ps.WaitDurationNs).Seconds(),
			PendingRequests: ps.PendingRequests, Unusable: ps.Unusable, PubSubActive: ps.PubSubStats.Active,
		}
		s.Pool.PoolSize = poolSize(r.client)
		s.HeldOutsidePool = max(0, int(ps.TotalConns)-int(ps.IdleConns)-int(s.InFlightCommands))
	}
	every := r.p.Settings().PollInterval
	info, ierr := r.info.poll(ctx, r.client, now, every)
	s.Server = info
	if info != nil {
		r.cache.SetUsedBytes(info.UsedMemory)
		r.cache.SetMaxBytes(info.MaxMemoryBytes)
		mm := "unlimited"
		if info.MaxMemoryBytes > 0 {
			mm = strconv.FormatInt(info.MaxMemoryBytes, 10) + " bytes"
		}
		r.p.SetConfigDefault(probe.ConfigRedisMaxMemory, mm+" ("+info.MaxMemoryPolicy+")")
	}
	s.Error = r.lastErr.Recent(now, every)
	if ierr != "" {
		s.Error = ierr
	}
	return s
}

func (r *Hook) heldOutsidePool() int {
	if r.client == nil {
		return 0
	}
	ps := r.client.PoolStats()
	if ps == nil {
		return 0
	}
	return max(0, int(ps.TotalConns)-int(ps.IdleConns)-int(r.inFlight.Load()))
}

// poolSize is c's Options().PoolSize (per node or shard for a cluster or
// ring client), or 0 for a client of another type.
func poolSize(c redis.UniversalClient) int {
	switch c := c.(type) {
	case *redis.Client:
		return c.Options().PoolSize
	case *redis.ClusterClient:
		return c.Options().PoolSize
	case *redis.Ring:
		return c.Options().PoolSize
	}
	return 0
}

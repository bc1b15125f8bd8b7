package probe

import (
	"context"
	"time"
)

// A RedisSource is a Redis client an integration reports:
// [github.com/soaklab/soak/probe/redisprobe] for go-redis, or a service's
// own. Register it with [Probe.AddRedis].
type RedisSource interface {
	// RedisSnapshot returns the client's figures at now, the snapshot's
	// time on the probe's clock. It is called for every snapshot, from any
	// goroutine; it may query the server, bounded by ctx and at most once
	// per [Settings].PollInterval. It must not panic.
	RedisSnapshot(ctx context.Context, now time.Time) RedisSnapshot
}

// AddRedis registers a Redis client: every snapshot then lists its
// RedisSnapshot in Snapshot.Redis (its Error, if any, also in
// Snapshot.Errors, and its HookPanics in ProbePanics). If src is a
// [HoldLister], its holds are the leak registry's; if it is an io.Closer,
// [Probe.Close] closes it.
func (p *Probe) AddRedis(src RedisSource) {
	p.init()
	p.redis.add(src)
}

// OverflowCommand is the name under which Redis commands are recorded once
// a client's command table is full.
const OverflowCommand = "(other commands)"

// RedisSnapshot holds one Redis client's figures (go-redis's, as
// probe/redisprobe reports them). Counters are cumulative;
// InFlightCommands, OpenPubSub and HeldOutsidePool are gauges.
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
	// PoolUnread is set when the client's pool statistics could not be
	// read (no client was given, or its PoolStats returned nil): Pool
	// and HeldOutsidePool are then zeros, not measurements.
	PoolUnread bool `json:"pool_unread,omitempty"`
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
	// PoolSize is the most connections the pool opens: the client's
	// Options().PoolSize (for a cluster or ring client, per node or
	// shard, while the counts above sum its pools); 0 when the client's
	// type does not say.
	PoolSize int `json:"pool_size,omitempty"`
}

// RedisServerInfo is the server's view from INFO, polled at most once per
// poll interval. Keyspace and eviction counts are cumulative since the
// server started (shared by every client of that server).
type RedisServerInfo struct {
	// Time is when the server was asked.
	Time           time.Time `json:"time"`
	Version        string    `json:"version"`
	KeyspaceHits   uint64    `json:"keyspace_hits"`
	KeyspaceMisses uint64    `json:"keyspace_misses"`
	EvictedKeys    uint64    `json:"evicted_keys"`
	ExpiredKeys    uint64    `json:"expired_keys"`
	UsedMemory     int64     `json:"used_memory_bytes"`
	// MaxMemoryBytes is 0 when the server has no maxmemory (unbounded).
	MaxMemoryBytes   int64  `json:"max_memory_bytes"`
	MaxMemoryPolicy  string `json:"max_memory_policy"`
	ConnectedClients int64  `json:"connected_clients"`
	BlockedClients   int64  `json:"blocked_clients"`
	RejectedConns    uint64 `json:"rejected_connections"`
	CommandsTotal    uint64 `json:"total_commands_processed"`
}

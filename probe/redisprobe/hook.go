package redisprobe

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/soaklab/soak/probe"

	"github.com/soaklab/soak/probe/internal/cowmap"
	"github.com/soaklab/soak/probe/internal/poll"
)

// DefaultMaxCommands bounds each client's table of command names; further
// commands share one probe.OverflowCommand entry.
const DefaultMaxCommands = 128

// Hook instruments one go-redis v9 client through its hooks, created with
// [New]. Per command it records calls, errors and HDR latency;
// cache reads (GET, GETEX, GETDEL, HGET, MGET, HMGET) count hits and misses
// as the service sees them (a redis.Nil reply is a miss; MGET counts each
// key). Snapshots add the client's PoolStats and the server's INFO, polled
// at most once per poll interval. PubSub connections are tracked from dial
// to close like held pgx connections. All methods are safe for concurrent
// use; hooks never panic (panics are recovered and counted).
//
// The INFO polls of a *redis.Client go through a connection of the
// probe's own, made from the client's Options on the first snapshot and
// closed by probe.Probe.Close: they neither wait on an exhausted pool nor
// show among the client's commands. Those of a cluster or ring client go
// through the client and show as "info" commands.
type Hook struct {
	p       *probe.Probe
	name    string
	maxHeld int
	client  redis.UniversalClient
	cache   *probe.CacheStats

	cmds     cowmap.Map[string, *cmdStats]
	overflow cmdStats

	inFlight atomic.Int64
	panics   atomic.Uint64
	lastErr  poll.LastError

	pubsubMu sync.Mutex
	pubsub   map[*trackedConn]probe.Hold

	info infoPoller
}

type cmdStats struct {
	name    string
	calls   atomic.Uint64
	errors  atomic.Uint64
	latency probe.Latency
}

// New instruments client under name (also the name of its
// probe.CacheStats entry, of kind probe.CacheRedis) and registers it with
// p (not nil; a zero probe.Probe will do): it adds the hook with
// client.AddHook. Call it once per client, before the client is shared.
func New(p *probe.Probe, name string, client redis.UniversalClient) *Hook {
	if name == "" {
		name = "redis"
	}
	r := &Hook{p: p, name: name, maxHeld: p.Settings().MaxHeld, client: client, pubsub: map[*trackedConn]probe.Hold{}}
	r.overflow.name = probe.OverflowCommand
	r.cache = p.CacheOf(probe.CacheRedis, name)
	if client != nil {
		client.AddHook(r)
	}
	p.AddRedis(source{r})
	return r
}

// Name returns the client's name.
func (r *Hook) Name() string { return r.name }

func (r *Hook) cmd(name string) *cmdStats {
	c, ok := r.cmds.LoadOrCreate(name, DefaultMaxCommands, func() *cmdStats { return &cmdStats{name: name} })
	if !ok {
		return &r.overflow
	}
	return c
}

func (r *Hook) recoverHook() {
	if v := recover(); v != nil {
		r.panics.Add(1)
	}
}

// DialHook implements redis.Hook: connections dialed for a PubSub are
// wrapped so that their close is seen.
func (r *Hook) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		if err != nil {
			r.lastErr.Set(err, r.p.Now())
			return conn, err
		}
		return r.trackDial(ctx, conn), nil
	}
}

// ProcessHook implements redis.Hook.
func (r *Hook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		r.inFlight.Add(1)
		start := time.Now()
		err := next(ctx, cmd)
		d := time.Since(start)
		r.inFlight.Add(-1)
		r.record(cmd, err, d)
		return err
	}
}

// ProcessPipelineHook implements redis.Hook: each command of a pipeline is
// counted, with the pipeline's duration as its latency.
func (r *Hook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		r.inFlight.Add(1)
		start := time.Now()
		err := next(ctx, cmds)
		d := time.Since(start)
		r.inFlight.Add(-1)
		for _, c := range cmds {
			r.record(c, c.Err(), d)
		}
		return err
	}
}

// record counts cmd with its error: the hook's return value, since
// go-redis sets cmd.Err() only after the hooks returned (pipelines set it
// per command before).
func (r *Hook) record(cmd redis.Cmder, err error, d time.Duration) {
	defer r.recoverHook()
	c := r.cmd(cmd.Name())
	c.calls.Add(1)
	if err != nil && !errors.Is(err, redis.Nil) {
		c.errors.Add(1)
		var re redis.Error
		if !errors.As(err, &re) {
			r.lastErr.Set(err, r.p.Now()) // I/O, not a server reply
		}
	}
	c.latency.Record(d)
	r.countCache(cmd, err)
}

// countCache counts the hits and misses of cache reads.
func (r *Hook) countCache(cmd redis.Cmder, err error) {
	switch cmd.Name() {
	case "get", "getex", "getdel", "hget":
		if err == nil {
			r.cache.Hit()
		} else if errors.Is(err, redis.Nil) {
			r.cache.Miss()
		}
	case "mget", "hmget":
		sc, ok := cmd.(*redis.SliceCmd)
		if !ok || err != nil {
			return
		}
		var hits, misses uint64
		for _, v := range sc.Val() {
			if v == nil {
				misses++
			} else {
				hits++
			}
		}
		r.cache.Add(hits, misses)
	}
}

var _ redis.Hook = (*Hook)(nil)

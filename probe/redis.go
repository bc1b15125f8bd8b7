package probe

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/soaklab/soak/probe/internal/cowmap"
	"github.com/soaklab/soak/probe/internal/poll"
)

// OverflowCommand is the name under which Redis commands are recorded once
// a client's command table is full (see DefaultMaxCommands).
const OverflowCommand = "(other commands)"

// Redis instruments one go-redis v9 client through its hooks, created with
// [Probe.Redis]. Per command it records calls, errors and HDR latency;
// cache reads (GET, GETEX, GETDEL, HGET, MGET, HMGET) count hits and misses
// as the service sees them (a redis.Nil reply is a miss; MGET counts each
// key). Snapshots add the client's PoolStats and the server's INFO, polled
// at most once per poll interval. PubSub connections are tracked from dial
// to close like held pgx connections. All methods are safe for concurrent
// use; hooks never panic (panics are recovered and counted).
//
// The INFO polls go through the client and show as "info" commands.
type Redis struct {
	p      *Probe
	name   string
	client redis.UniversalClient
	cache  *CacheStats

	cmds     cowmap.Map[string, *cmdStats]
	overflow cmdStats

	inFlight atomic.Int64
	panics   atomic.Uint64
	lastErr  poll.LastError

	pubsubMu sync.Mutex
	pubsub   map[*trackedConn]hold

	info infoPoller
}

type cmdStats struct {
	name    string
	calls   atomic.Uint64
	errors  atomic.Uint64
	latency hist
}

// Redis instruments client under name (also the name of its [CacheStats]
// entry, of kind [CacheRedis]): it adds the probe's hook with
// client.AddHook. Call it once per client, before the client is shared.
func (p *Probe) Redis(name string, client redis.UniversalClient) *Redis {
	p.init()
	if name == "" {
		name = "redis"
	}
	r := &Redis{p: p, name: name, client: client, pubsub: map[*trackedConn]hold{}}
	r.overflow.name = OverflowCommand
	r.cache = p.cache(name, CacheRedis)
	if client != nil {
		client.AddHook(r)
	}
	p.redis.mu.Lock()
	p.redis.items = append(p.redis.items, r)
	p.redis.mu.Unlock()
	return r
}

// Name returns the client's name.
func (r *Redis) Name() string { return r.name }

func (r *Redis) cmd(name string) *cmdStats {
	c, ok := r.cmds.LoadOrCreate(name, r.p.opts.maxCommands, func() *cmdStats { return &cmdStats{name: name} })
	if !ok {
		return &r.overflow
	}
	return c
}

func (r *Redis) recoverHook() {
	if v := recover(); v != nil {
		r.panics.Add(1)
	}
}

// DialHook implements redis.Hook: connections dialed for a PubSub are
// wrapped so that their close is seen.
func (r *Redis) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		if err != nil {
			r.lastErr.Set(err, r.p.now())
			return conn, err
		}
		return r.trackDial(ctx, conn), nil
	}
}

// ProcessHook implements redis.Hook.
func (r *Redis) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
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
func (r *Redis) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
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
func (r *Redis) record(cmd redis.Cmder, err error, d time.Duration) {
	defer r.recoverHook()
	c := r.cmd(cmd.Name())
	c.calls.Add(1)
	if err != nil && !errors.Is(err, redis.Nil) {
		c.errors.Add(1)
		var re redis.Error
		if !errors.As(err, &re) {
			r.lastErr.Set(err, r.p.now()) // I/O, not a server reply
		}
	}
	c.latency.record(d)
	r.countCache(cmd, err)
}

// countCache counts the hits and misses of cache reads.
func (r *Redis) countCache(cmd redis.Cmder, err error) {
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

var _ redis.Hook = (*Redis)(nil)

package redisprobe_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/soaklab/soak/internal/testenv"
	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/label"
	"github.com/soaklab/soak/probe/redisprobe"
)

func newRedis(t *testing.T, p *probe.Probe) (*redis.Client, string) {
	t.Helper()
	opt, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	redisprobe.New(p, "cache", c)
	prefix := testenv.Name(t)
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := c.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			c.Del(ctx, keys...)
		}
		c.Close()
		p.Close() // the probe's own INFO connection
	})
	return c, prefix
}

func TestRedisHitsAndMisses(t *testing.T) {
	p := probe.New()
	c, k := newRedis(t, p)
	ctx := context.Background()
	if err := c.Set(ctx, k+":a", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	c.HSet(ctx, k+":h", "f", "v")
	c.Get(ctx, k+":a")                                 // hit
	c.Get(ctx, k+":missing")                           // miss
	c.Get(ctx, k+":missing")                           // miss
	c.MGet(ctx, k+":a", k+":missing", k+":a", k+":no") // 2 hits, 2 misses
	c.HGet(ctx, k+":h", "f")                           // hit
	c.HGet(ctx, k+":h", "nope")                        // miss
	c.HMGet(ctx, k+":h", "f", "nope")                  // 1 hit, 1 miss
	c.GetDel(ctx, k+":missing")                        // miss
	pipe := c.Pipeline()
	pipe.Get(ctx, k+":a")       // hit
	pipe.Get(ctx, k+":missing") // miss
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		t.Fatal(err)
	}
	snap, err := p.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rs, ok := snap.RedisClient("cache")
	if !ok {
		t.Fatal("client missing")
	}
	if rs.CacheHits != 6 || rs.CacheMisses != 8 {
		t.Errorf("hits %d misses %d, want 6 and 8", rs.CacheHits, rs.CacheMisses)
	}
	cs, _ := snap.Cache("cache")
	if cs.Kind != probe.CacheRedis || cs.Hits != 6 || cs.Misses != 8 {
		t.Errorf("cache entry = %+v", cs)
	}
	calls := map[string]uint64{}
	for _, cmd := range rs.Commands {
		calls[cmd.Name] = cmd.Calls
		if cmd.Errors != 0 && cmd.Name != "client" && cmd.Name != "hello" { // the connection handshake may probe newer commands
			t.Errorf("%s: %d errors (redis.Nil is not one)", cmd.Name, cmd.Errors)
		}
		if cmd.Latency.Count != int64(cmd.Calls) {
			t.Errorf("%s: latency count %d, calls %d", cmd.Name, cmd.Latency.Count, cmd.Calls)
		}
	}
	if calls["get"] != 5 || calls["mget"] != 1 || calls["set"] != 1 {
		t.Errorf("calls = %v", calls)
	}
	if rs.Server == nil || rs.Server.Version == "" || rs.Server.UsedMemory <= 0 || rs.Error != "" {
		t.Errorf("server info = %+v, error %q", rs.Server, rs.Error)
	}
	if rs.Pool.TotalConns < 1 || rs.Pool.PoolReuseHits < 1 {
		t.Errorf("pool = %+v", rs.Pool)
	}
	if cs.UsedBytes != rs.Server.UsedMemory {
		t.Errorf("cache used bytes %d, INFO %d", cs.UsedBytes, rs.Server.UsedMemory)
	}
	if _, ok := snap.Config[probe.ConfigRedisMaxMemory]; !ok {
		t.Errorf("maxmemory not in config: %v", snap.Config)
	}
}

// TestRedisInfoWhilePoolExhausted: with every connection of the client's
// pool held, a snapshot still reads the server's INFO (through the probe's
// own connection), and INFO is not among the service's commands.
func TestRedisInfoWhilePoolExhausted(t *testing.T) {
	opt, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	opt.PoolSize, opt.PoolTimeout = 1, 30*time.Second // a wait for the pool outlasts the poll's 2 s timeout
	c := redis.NewClient(opt)
	defer c.Close()
	p := probe.New()
	defer p.Close()
	redisprobe.New(p, "cache", c)
	ctx := context.Background()
	held := c.Conn()
	defer held.Close()
	if err := held.Ping(ctx).Err(); err != nil { // takes the pool's one connection
		t.Fatal(err)
	}
	snap, err := p.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rs, _ := snap.RedisClient("cache")
	if rs.Server == nil || rs.Server.Version == "" || rs.Error != "" {
		t.Fatalf("server info with the pool exhausted = %+v, error %q", rs.Server, rs.Error)
	}
	if rs.Pool.TotalConns != 1 || rs.Pool.IdleConns != 0 || rs.HeldOutsidePool != 1 {
		t.Errorf("pool = %+v, held outside %d: the probe's INFO connection is counted in the client's pool", rs.Pool, rs.HeldOutsidePool)
	}
	for _, cmd := range rs.Commands {
		if cmd.Name == "info" {
			t.Errorf("the probe's INFO counted among the service's commands: %+v", cmd)
		}
	}
}

// subscribeAndForget opens a PubSub and never closes it.
func subscribeAndForget(ctx context.Context, c *redis.Client, channel string) *redis.PubSub {
	ps := c.Subscribe(ctx, channel)
	_, _ = ps.Receive(ctx)
	return ps
}

func TestRedisPubSubNeverClosed(t *testing.T) {
	p := probe.New()
	c, k := newRedis(t, p)
	ctx := shelvesCtx()
	ps := subscribeAndForget(ctx, c, k+":events")
	r := p.Leaks(0)
	g := findGroup(r, probe.LeakRedisPubSub)
	if g == nil {
		t.Fatalf("no redis-pubsub group in %+v", r)
	}
	if !strings.HasSuffix(g.Function, ".subscribeAndForget") || g.Source != "cache" || len(g.Routes) != 1 {
		t.Errorf("group = %+v", g)
	}
	snap, _ := p.Snapshot(context.Background())
	if rs, _ := snap.RedisClient("cache"); rs.OpenPubSub != 1 || snap.Leaks.RedisOpenPubSub != 1 {
		t.Errorf("open pubsub = %d / %d", rs.OpenPubSub, snap.Leaks.RedisOpenPubSub)
	}
	if err := p.Find(probe.MaxWait(0)); err == nil || !strings.Contains(err.Error(), "subscribeAndForget") {
		t.Errorf("Find = %v", err)
	}
	ps.Close()
	if err := p.Find(); err != nil {
		t.Errorf("after Close: %v", err)
	}
}

func TestRedisConnNeverClosed(t *testing.T) {
	p := probe.New()
	c, _ := newRedis(t, p)
	ctx := context.Background()
	conn := c.Conn()
	if err := conn.Ping(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	snap, _ := p.Snapshot(ctx)
	if rs, _ := snap.RedisClient("cache"); rs.HeldOutsidePool != 1 || rs.Pool.PoolSize != c.Options().PoolSize || rs.Pool.PoolSize == 0 {
		t.Errorf("held outside pool = %d, want 1; pool size %d, want %d", rs.HeldOutsidePool, rs.Pool.PoolSize, c.Options().PoolSize)
	}
	if err := p.Find(probe.MaxWait(0)); err == nil || !strings.Contains(err.Error(), probe.LeakRedisConn) {
		t.Errorf("Find = %v", err)
	}
	conn.Close()
	p.VerifyNone(t)
}

func TestRedisDown(t *testing.T) {
	before := goleak.IgnoreCurrent()
	defer func() { // the probe's own INFO client retries a failed dial in a goroutine for up to a second
		deadline := time.Now().Add(5 * time.Second)
		for err := goleak.Find(before); err != nil; err = goleak.Find(before) {
			if time.Now().After(deadline) {
				t.Errorf("the probe's INFO client left goroutines: %v", err)
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	p := probe.New()
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", Password: "hunter2", MaxRetries: -1})
	defer c.Close()
	defer p.Close()
	redisprobe.New(p, "down", c)
	ctx := context.Background()
	if err := c.Get(ctx, "k").Err(); err == nil || err == redis.Nil {
		t.Fatalf("GET against a closed port: %v", err)
	}
	snap, err := p.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rs, _ := snap.RedisClient("down")
	if rs.Error == "" || len(snap.Errors) == 0 || rs.Commands[0].Errors != 1 {
		t.Errorf("error not reported: %+v / %v", rs, snap.Errors)
	}
	b, _ := json.Marshal(snap)
	if strings.Contains(string(b), "hunter2") {
		t.Error("the password appears in the snapshot")
	}
}

func shelvesCtx() context.Context {
	return label.NewContext(context.Background(), &label.Info{
		Set:    label.Set{Run: "run-1", Class: "AuthenticatedUser", User: "17", Request: "/api/library/shelves"},
		Method: "GET", Route: "/api/library/shelves",
	})
}

func findGroup(r *probe.LeakReport, kind string) *probe.LeakGroup {
	for i := range r.Groups {
		if r.Groups[i].Kind == kind {
			return &r.Groups[i]
		}
	}
	return nil
}

// A hook given no client has no pool to read: the snapshot says so
// (PoolUnread), so its zero waits are not read as measured; a client's
// pool is read.
func TestRedisPoolUnread(t *testing.T) {
	p := probe.New()
	redisprobe.New(p, "hookonly", nil)
	newRedis(t, p)
	snap, err := p.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rs, ok := snap.RedisClient("hookonly"); !ok || !rs.PoolUnread || rs.Error != "no client" {
		t.Errorf("no client: %+v", rs)
	}
	if rs, ok := snap.RedisClient("cache"); !ok || rs.PoolUnread {
		t.Errorf("a client: %+v", rs)
	}
}

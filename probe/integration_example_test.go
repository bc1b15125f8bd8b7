package probe_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/soaklab/soak/probe"
)

// connPool stands for a pool of the service's own (over database/sql, or
// another driver) that reports to the probe the way probe/pgxprobe
// reports pgxpool: its figures at each snapshot, and what it has handed
// out, for the leak registry.
type connPool struct {
	p    *probe.Probe
	mu   sync.Mutex
	held map[int]probe.Hold // connection id -> since when, by whom
}

func (c *connPool) acquire(ctx context.Context, id int) {
	h := c.p.NewHold(ctx, 1) // the stack starts at acquire's caller
	c.mu.Lock()
	c.held[id] = h
	c.mu.Unlock()
}

func (c *connPool) release(id int) {
	c.mu.Lock()
	delete(c.held, id)
	c.mu.Unlock()
}

// PoolSnapshot implements probe.PoolSource.
func (c *connPool) PoolSnapshot(_ context.Context, now time.Time) probe.PoolSnapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := probe.PoolSnapshot{Name: "orders", MaxConns: 10, AcquiredConns: int32(len(c.held)), HeldConns: len(c.held)}
	for _, h := range c.held {
		s.OldestHeldSeconds = max(s.OldestHeldSeconds, c.p.ElapsedAt(h, now).Seconds())
	}
	return s
}

// AppendHolds implements probe.HoldLister.
func (c *connPool) AppendHolds(dst []probe.Held) []probe.Held {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, h := range c.held {
		dst = append(dst, probe.Held{Kind: "orders-conn", Source: "orders", Hold: h})
	}
	return dst
}

// A pool of the service's own, reported like pgxpool: its section in
// every snapshot, its connections in the leak registry.
func ExampleProbe_AddPool() {
	now := time.Date(2026, 2, 18, 10, 0, 0, 0, time.UTC)
	p := probe.New(probe.WithClock(func() time.Time { return now }))
	pool := &connPool{p: p, held: map[int]probe.Hold{}}
	p.AddPool(pool)

	pool.acquire(context.Background(), 1)
	pool.acquire(context.Background(), 2)
	pool.release(2)
	now = now.Add(time.Minute)

	snap, _ := p.Snapshot(context.Background())
	s, _ := snap.Pool("orders")
	fmt.Println(s.HeldConns, s.OldestHeldSeconds, snap.Leaks.Suspects)
	for _, g := range p.Leaks(30 * time.Second).Groups {
		fmt.Println(g.Kind, g.Source, g.Count, g.Function)
	}
	// Output:
	// 1 60 1
	// orders-conn orders 1 github.com/soaklab/soak/probe_test.ExampleProbe_AddPool
}

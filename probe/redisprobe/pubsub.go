package redisprobe

import (
	"context"
	"net"
	"runtime"
	"strings"
	"sync"

	"github.com/soaklab/soak/probe"
)

// trackedConn is a PubSub connection: its Close ends the hold.
type trackedConn struct {
	net.Conn
	r    *Hook
	once sync.Once
}

// Close implements net.Conn.
func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.r.pubsubMu.Lock()
		delete(c.r.pubsub, c)
		c.r.pubsubMu.Unlock()
	})
	return c.Conn.Close()
}

// NetConn returns the wrapped connection (go-redis health checks unwrap
// it, as they do for tls.Conn).
func (c *trackedConn) NetConn() net.Conn { return c.Conn }

// trackDial wraps conn when the dial was made for a PubSub. Dials are rare
// (pool growth), so looking at the stack here costs nothing that matters.
func (r *Hook) trackDial(ctx context.Context, conn net.Conn) net.Conn {
	defer r.recoverHook()
	var buf [maxPubSubDepth]uintptr
	n := runtime.Callers(2, buf[:])
	if !pubsubStack(buf[:n]) {
		return conn
	}
	c := &trackedConn{Conn: conn, r: r}
	h := r.p.NewHold(ctx, 1)
	r.pubsubMu.Lock()
	if len(r.pubsub) < r.maxHeld {
		r.pubsub[c] = h
	}
	r.pubsubMu.Unlock()
	return c
}

// maxPubSubDepth is how deep trackDial looks for go-redis's PubSub.
const maxPubSubDepth = 64

func pubsubStack(pcs []uintptr) bool {
	frames := runtime.CallersFrames(pcs)
	for {
		f, more := frames.Next()
		if strings.HasPrefix(f.Function, "github.com/redis/go-redis/v9.(*PubSub)") {
			return true
		}
		if !more {
			return false
		}
	}
}

// appendHolds lists the PubSub connections open.
func (r *Hook) appendHolds(dst []probe.Held) []probe.Held {
	r.pubsubMu.Lock()
	defer r.pubsubMu.Unlock()
	for _, h := range r.pubsub {
		dst = append(dst, probe.Held{Kind: probe.LeakRedisPubSub, Source: r.name, Hold: h})
	}
	return dst
}

// appendCounts counts the connections out of the pool and not running a
// command (go-redis has no hook on Conn(), so they cannot be tracked one
// by one).
func (r *Hook) appendCounts(dst []probe.Held) []probe.Held {
	if n := r.heldOutsidePool(); n > 0 {
		dst = append(dst, probe.Held{Kind: probe.LeakRedisConn, Source: r.name, Count: n})
	}
	return dst
}

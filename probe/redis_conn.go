package probe

import (
	"context"
	"net"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/soaklab/soak/probe/label"
)

// trackedConn is a PubSub connection: its Close ends the hold.
type trackedConn struct {
	net.Conn
	r    *Redis
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
func (r *Redis) trackDial(ctx context.Context, conn net.Conn) net.Conn {
	defer r.recoverHook()
	var buf [maxStackDepth]uintptr
	n := runtime.Callers(2, buf[:])
	if !pubsubStack(buf[:n]) {
		return conn
	}
	c := &trackedConn{Conn: conn, r: r}
	h := hold{since: r.p.stampNow(), stack: r.p.stacks.capture(1), info: label.FromContext(ctx)}
	r.pubsubMu.Lock()
	if len(r.pubsub) < r.p.opts.maxHeld {
		r.pubsub[c] = h
	}
	r.pubsubMu.Unlock()
	return c
}

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

func (r *Redis) holds(now stamp, minAge time.Duration, dst []heldItem) []heldItem {
	r.pubsubMu.Lock()
	defer r.pubsubMu.Unlock()
	for _, h := range r.pubsub {
		if now.sub(h.since) >= minAge {
			dst = append(dst, heldItem{kind: LeakRedisPubSub, source: r.name, hold: h})
		}
	}
	return dst
}

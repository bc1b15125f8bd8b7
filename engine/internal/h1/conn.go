package h1

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"time"
)

// ErrClosed is returned by RoundTrip after Shutdown.
var ErrClosed = errors.New("h1: connection shut down")

// ErrInterrupted is returned by a RoundTrip cut short by Interrupt.
var ErrInterrupted = errors.New("h1: request interrupted")

// readers are shared by all connections: a connection holds one only
// while it waits for a response, so ten thousand mostly idle users do not
// hold ten thousand buffers.
var readers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}

// Conn is one keep-alive connection to Addr, dialled on first use and
// again after the server closes it. RoundTrip is for one goroutine at a
// time; Interrupt and Shutdown may be called from any goroutine.
type Conn struct {
	Addr        string        // "host:port"
	DialTimeout time.Duration // 0: no limit but the context's
	KeepAlive   bool          // reuse the connection between requests

	mu          sync.Mutex
	nc          net.Conn
	rc          syscall.RawConn // nc's, for the exchange; nil: plain Write and Read
	x           exchange
	gen         uint64 // RoundTrip count, to match Interrupt with its request
	plain       bool   // never use the exchange (tests compare the two paths)
	exchanges   int    // requests sent by the exchange (tests check it was used)
	interrupted bool
	shut        bool
}

// RoundTrip sends req, a complete HTTP/1.1 request, and reads the response
// into r. ctx bounds only the dial (use Interrupt to abort a request in
// flight); deadline bounds the whole exchange. head marks a HEAD request;
// retry allows one retry on a fresh connection when a reused one turns
// out closed before any response byte (safe for idempotent requests).
// idle is how long the connection has waited since the caller's previous
// RoundTrip returned, by the caller's clock (Conn reads no clock of its
// own): under ExchangeIdle, a reused connection sends req by the exchange
// (exchange.go).
// Call Gen before RoundTrip to learn the generation that Interrupt takes.
func (c *Conn) RoundTrip(ctx context.Context, req []byte, head, retry bool, idle time.Duration, deadline time.Time, maxBody int, r *Response) error {
	c.mu.Lock()
	c.gen++
	c.interrupted = false
	c.mu.Unlock()
	for attempt := 0; ; attempt++ {
		reused, err := c.roundTrip(ctx, req, head, idle < ExchangeIdle, deadline, maxBody, r)
		if err == nil {
			return nil
		}
		c.drop()
		if !(retry && reused && attempt == 0 && stale(err)) {
			return err
		}
	}
}

// Gen returns the generation of the request in flight (or the next one):
// pass it to Interrupt.
func (c *Conn) Gen() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen + 1
}

func (c *Conn) roundTrip(ctx context.Context, req []byte, head, recent bool, deadline time.Time, maxBody int, r *Response) (reused bool, err error) {
	c.mu.Lock()
	nc, rc, shut := c.nc, c.rc, c.shut
	c.mu.Unlock()
	if shut {
		return false, ErrClosed
	}
	reused = nc != nil
	if nc == nil {
		if nc, rc, err = c.dial(ctx); err != nil {
			return false, err
		}
	}
	// The deadline is set under the lock, so that an Interrupt or Shutdown
	// (which sets a past deadline) cannot be overwritten by it.
	c.mu.Lock()
	if c.shut || c.interrupted {
		err = c.whyLocked(nil)
		c.mu.Unlock()
		return reused, err
	}
	err = nc.SetDeadline(deadline)
	c.mu.Unlock()
	if err != nil {
		return reused, err
	}
	var src io.Reader = nc
	if rc != nil && reused && recent && !c.plain {
		c.exchanges++
		c.x.reset(nc, rc, req)
		src = &c.x
	} else if _, err = nc.Write(req); err != nil {
		return reused, c.why(err)
	}
	br := readers.Get().(*bufio.Reader)
	br.Reset(src)
	err = ReadResponse(br, head, maxBody, r)
	if err == nil && br.Buffered() > 0 {
		r.Close = true // bytes nobody asked for: the stream is out of step
	}
	br.Reset(nil)
	readers.Put(br)
	if err != nil {
		return reused, c.why(err)
	}
	if r.Close || !c.KeepAlive {
		c.drop()
	}
	return reused, nil
}

func (c *Conn) dial(ctx context.Context) (net.Conn, syscall.RawConn, error) {
	nc, err := dialAside(ctx, c.Addr, c.DialTimeout)
	if err != nil {
		return nil, nil, err
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	rc := rawConn(nc)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.shut {
		nc.Close()
		return nil, nil, ErrClosed
	}
	c.nc, c.rc = nc, rc
	return nc, rc, nil
}

// dialAside dials addr on a goroutine of its own, which ends with the
// dial. Dialling (resolver, socket set-up) takes the deepest stack of a
// user's life; done on the user's goroutine, it would grow that stack
// for good (a goroutine's stack shrinks only at a GC, by half at a time,
// and only when it uses under a quarter), and ten thousand idle users
// would each keep a stack sized for dialling.
func dialAside(ctx context.Context, addr string, timeout time.Duration) (net.Conn, error) {
	type result struct {
		nc  net.Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		d := net.Dialer{Timeout: timeout}
		nc, err := d.DialContext(ctx, "tcp", addr)
		done <- result{nc, err}
	}()
	r := <-done
	return r.nc, r.err
}

// why turns a deadline error caused by Interrupt or Shutdown into
// ErrInterrupted or ErrClosed.
func (c *Conn) why(err error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.whyLocked(err)
}

func (c *Conn) whyLocked(err error) error {
	switch {
	case c.shut:
		return ErrClosed
	case c.interrupted:
		return ErrInterrupted
	}
	return err
}

// drop closes the current connection; the next request dials afresh.
func (c *Conn) drop() {
	c.mu.Lock()
	nc := c.nc
	c.nc, c.rc = nil, nil
	c.mu.Unlock()
	if nc != nil {
		nc.Close()
	}
}

// Interrupt aborts request gen if it is still in flight.
func (c *Conn) Interrupt(gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || c.shut {
		return
	}
	c.interrupted = true
	if c.nc != nil {
		_ = c.nc.SetDeadline(time.Unix(1, 0))
	}
}

// Shutdown aborts any request in flight and refuses later ones.
func (c *Conn) Shutdown() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.shut = true
	if c.nc != nil {
		_ = c.nc.SetDeadline(time.Unix(1, 0))
	}
}

// Close closes the connection.
func (c *Conn) Close() {
	c.Shutdown()
	c.drop()
}

// stale reports an error that a server closing an idle keep-alive
// connection causes on its next use.
func stale(err error) bool {
	return err == io.EOF || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

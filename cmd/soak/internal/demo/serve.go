package demo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/soaklab/soak/internal/loopback"
	"github.com/soaklab/soak/probe"
)

// DefaultAddr is where [Listen] serves the API when given "": the seed
// report's target, http://localhost:8000, on loopback only.
const DefaultAddr = "127.0.0.1:8000"

// Timeouts of the API server [Listen] starts. The write timeout exceeds
// the request timeout, so a request that runs out still gets its 503.
const (
	readHeaderTimeout = 5 * time.Second
	writeTimeout      = DefaultRequestTimeout + 5*time.Second
	idleTimeout       = 60 * time.Second
)

// ErrNotLoopback is returned (wrapped, naming the address) by [Listen] for
// an address that is not loopback: the demo serves this machine only.
var ErrNotLoopback = errors.New("demo: not a loopback address")

// ListenError is [Listen]'s error for an address it could not bind (a
// port another process holds: errors.Is(err, syscall.EADDRINUSE)).
type ListenError struct {
	Admin bool   // the probe's admin address, not the API's
	Addr  string // as given
	Err   error
}

func (e *ListenError) Error() string {
	what := "listen on"
	if e.Admin {
		what = "admin listener on"
	}
	return fmt.Sprintf("demo: %s %s: %v", what, e.Addr, e.Err)
}

func (e *ListenError) Unwrap() error { return e.Err }

// Server serves a [Service] on loopback: the API on one listener and the
// probe's admin handler on another, as docs/probe.md recommends (the
// admin endpoint never shares the API's port). Safe for concurrent use.
type Server struct {
	api   *http.Server
	ln    net.Listener
	admin *probe.Server
	done  chan error
}

// Listen binds addr (default [DefaultAddr]) for s's API and adminAddr
// (default probe.DefaultAdminAddr, 127.0.0.1:6061) for its probe, and
// serves both in goroutines until [Server.Shutdown]. Port 0 picks a free
// port; URL and AdminURL tell which. Both addresses must be loopback
// ("127.0.0.1:8000", "[::1]:8000", "localhost:8000"); anything else,
// including all interfaces (":8000"), is refused with [ErrNotLoopback].
func Listen(s *Service, addr, adminAddr string) (*Server, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	if adminAddr == "" {
		adminAddr = probe.DefaultAdminAddr
	}
	for _, a := range []struct{ name, addr string }{{"address", addr}, {"admin address", adminAddr}} {
		if err := checkLoopback(a.name, a.addr); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, &ListenError{Addr: addr, Err: err}
	}
	if !loopback.Addr(ln.Addr()) {
		ln.Close()
		return nil, fmt.Errorf("%w: %q bound %s", ErrNotLoopback, addr, ln.Addr())
	}
	admin, err := s.Probe().Listen(adminAddr)
	if err != nil {
		ln.Close()
		return nil, &ListenError{Admin: true, Addr: adminAddr, Err: err}
	}
	srv := &Server{
		api: &http.Server{
			Handler:           s.Handler(),
			ReadHeaderTimeout: readHeaderTimeout,
			WriteTimeout:      writeTimeout,
			IdleTimeout:       idleTimeout,
		},
		ln:    ln,
		admin: admin,
		done:  make(chan error, 1),
	}
	s.Probe().SetConfig(probe.ConfigServerTimeouts, fmt.Sprintf("read-header %v, write %v, idle %v",
		readHeaderTimeout, writeTimeout, idleTimeout))
	go func() { srv.done <- srv.api.Serve(ln) }()
	return srv, nil
}

// checkLoopback refuses an address whose host is not a loopback IP or
// "localhost".
func checkLoopback(name, addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("demo: %s %q: %w", name, addr, err)
	}
	if !loopback.Host(host) {
		return fmt.Errorf("%w: %s %q (use 127.0.0.1 or [::1])", ErrNotLoopback, name, addr)
	}
	return nil
}

// URL returns the API's base URL, e.g. "http://127.0.0.1:8000".
func (x *Server) URL() string { return "http://" + x.ln.Addr().String() }

// AdminURL returns the probe admin endpoint's base URL, e.g.
// "http://127.0.0.1:6061"; its snapshot is at AdminURL()+"/snapshot".
func (x *Server) AdminURL() string { return x.admin.URL() }

// Shutdown stops both listeners gracefully, waiting for requests in flight
// as long as ctx allows, then closes what is left. It does not close the
// Service: call [Service.Close] after it.
func (x *Server) Shutdown(ctx context.Context) error {
	err := x.api.Shutdown(ctx)
	if err != nil {
		x.api.Close()
	}
	if serr := <-x.done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return errors.Join(err, x.admin.Shutdown(ctx))
}

// Serve builds a Service from cfg, serves it with [Listen] until ctx is
// done, then shuts the listeners down (waiting up to 10 s for requests in
// flight) and closes the Service. ready, if not nil, is called with the
// Server once both listeners accept connections. It is `soak demo
// --serve` in one call.
func Serve(ctx context.Context, cfg Config, addr, adminAddr string, ready func(*Server)) error {
	s, err := New(ctx, cfg)
	if err != nil {
		return err
	}
	srv, err := Listen(s, addr, adminAddr)
	if err != nil {
		return errors.Join(err, s.Close(context.Background()))
	}
	if ready != nil {
		ready(srv)
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-srv.done:
		srv.done <- serveErr // for Shutdown
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	if !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(serveErr, err)
	}
	return errors.Join(err, s.Close(sctx))
}

package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/soaklab/soak/internal/loopback"
)

// DefaultAdminAddr is where [Probe.Listen] binds when given "": loopback
// only, so nothing outside the machine can reach the probe.
const DefaultAdminAddr = "127.0.0.1:6061"

// ErrPlainHTTP is [Server.Warning]'s answer when a token-protected
// admin listens beyond loopback over plain HTTP: the token, and the
// profiles it protects, cross the network in clear text.
var ErrPlainHTTP = errors.New("probe: the admin listens on a non-loopback address over plain HTTP: " +
	"its token and profiles cross the network unencrypted; serve p.Handler() behind TLS (your own http.Server with TLSConfig), " +
	"a sidecar or a reverse proxy, or bind loopback")

// ErrNotLoopback is returned by [Probe.Listen] for an address that is not
// loopback (or is all interfaces, ":6061") when the probe has no token.
var ErrNotLoopback = errors.New("probe: refusing to serve on a non-loopback address without a token (use probe.WithToken)")

// Server is the probe's admin listener started by [Probe.Listen].
type Server struct {
	srv   *http.Server
	ln    net.Listener
	done  chan error
	plain bool // bound beyond loopback, over plain HTTP
}

// Warning returns [ErrPlainHTTP] (with the address) when the server
// listens on a non-loopback address, which Listen allows only with a
// token, over plain HTTP; nil otherwise. Listen does not log: log it
// where the service logs,
//
//	if w := admin.Warning(); w != nil {
//		log.Print(w)
//	}
func (s *Server) Warning() error {
	if !s.plain {
		return nil
	}
	return fmt.Errorf("%w (bound %s)", ErrPlainHTTP, s.ln.Addr())
}

// Listen serves [Probe.Handler] on its own listener at addr (default
// [DefaultAdminAddr]) in a goroutine that [Server.Close] or
// [Server.Shutdown] stops. Without a token ([WithToken]) only a loopback
// address is accepted: a host name is checked after binding, on the
// address actually bound; with a token, a non-loopback address is
// served over plain HTTP, which [Server.Warning] reports. A token
// shorter than [MinTokenLength] is refused ([ErrShortToken]). The server
// sets read-header, idle and write
// timeouts; profile captures extend their own write deadline.
func (p *Probe) Listen(addr string) (*Server, error) {
	p.init()
	if addr == "" {
		addr = DefaultAdminAddr
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("probe: admin address %q: %w", addr, err)
	}
	if p.opts.tokenErr != nil {
		return nil, p.opts.tokenErr
	}
	if p.opts.token == "" && !loopback.Host(host) {
		return nil, fmt.Errorf("%w: %q", ErrNotLoopback, addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("probe: admin listener: %w", err)
	}
	if p.opts.token == "" && !loopback.Addr(ln.Addr()) {
		ln.Close()
		return nil, fmt.Errorf("%w: %q bound %s", ErrNotLoopback, addr, ln.Addr())
	}
	s := &Server{
		plain: !loopback.Addr(ln.Addr()),
		srv: &http.Server{
			Handler:           p.Handler(),
			ReadHeaderTimeout: 5 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       60 * time.Second,
			MaxHeaderBytes:    16 << 10,
		},
		ln:   ln,
		done: make(chan error, 1),
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// ListenAndServe is [Probe.Listen] that blocks until ctx is done, then
// shuts the server down (waiting up to 5 s for requests in flight). It
// returns nil after a shutdown by ctx, or the listener's error.
func (p *Probe) ListenAndServe(ctx context.Context, addr string) error {
	s, err := p.Listen(addr)
	if err != nil {
		return err
	}
	select {
	case err := <-s.done:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return s.Shutdown(sctx)
	}
}

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// URL returns the server's base URL, e.g. "http://127.0.0.1:6061".
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops the server at once and waits for its goroutine.
func (s *Server) Close() error {
	err := s.srv.Close()
	<-s.done
	s.done <- http.ErrServerClosed
	return err
}

// Shutdown stops the server gracefully (see http.Server.Shutdown) and
// waits for its goroutine.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if err != nil {
		s.srv.Close()
	}
	<-s.done
	s.done <- http.ErrServerClosed
	return err
}

// Command stall is the stalling service of docs/coordinated-omission.md:
// GET /stall answers at once, except during a 1-second freeze every 10
// seconds, when every request waits for the freeze to end, and GET /ok
// never waits. It is the load-generator benchmarks' target
// (engine/internal/bench's co.sh and rss.sh build it), kept in the
// repository so the guide's measurement runs from a fresh clone.
//
//	go run ./docs/internal/stall                      # on 127.0.0.1:18080
//	go run ./docs/internal/stall -addr 127.0.0.1:0    # any free port, printed
//
// It listens on loopback only and runs until interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/soaklab/soak/internal/loopback"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "stall: %v\n", err)
		os.Exit(1)
	}
}

// run serves until SIGINT or SIGTERM.
func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("stall", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:18080", "listen address, loopback only")
	every := fs.Duration("every", 10*time.Second, "time from the start of one freeze to the next")
	freeze := fs.Duration("freeze", time.Second, "how long each freeze lasts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *freeze <= 0 || *every <= *freeze {
		return fmt.Errorf("-freeze %v and -every %v: want 0 < freeze < every", *freeze, *every)
	}
	ln, err := listenLoopback(*addr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s := newStaller(*every, *freeze)
	go s.loop(ctx)
	srv := &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(out, "stall: http://%s/stall freezes for %v every %v\n", ln.Addr(), *freeze, *every)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// listenLoopback listens on addr, refusing anything but loopback.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("-addr %q: %v", addr, err)
	}
	if !loopback.Host(host) {
		return nil, fmt.Errorf("-addr %q: not a loopback address", addr)
	}
	return net.Listen("tcp", addr)
}

// staller freezes request handling for freeze out of every period.
type staller struct {
	every, freeze time.Duration
	mu            sync.RWMutex // held for writing during a freeze
}

func newStaller(every, freeze time.Duration) *staller {
	return &staller{every: every, freeze: freeze}
}

// loop freezes once per period until ctx ends: every-freeze of service,
// then freeze of stall.
func (s *staller) loop(ctx context.Context) {
	t := time.NewTimer(s.every - s.freeze)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.mu.Lock()
		select {
		case <-ctx.Done():
		case <-time.After(s.freeze):
		}
		s.mu.Unlock()
		t.Reset(s.every - s.freeze)
	}
}

var body = []byte(`{"status":"ok","items":[1,2,3,4,5,6,7,8,9,10]}`)

// handler serves /stall (waits out a freeze) and /ok (never waits).
func (s *staller) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stall", func(w http.ResponseWriter, r *http.Request) {
		s.mu.RLock()
		s.mu.RUnlock() //nolint:staticcheck // waiting for a freeze to end is the point
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	return mux
}

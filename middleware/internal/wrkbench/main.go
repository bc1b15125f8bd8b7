// Command wrkbench is the small echo service that .ci/bench/wrk-middleware.sh
// loads with wrk, once bare and once with the probe and the middleware, to
// measure the middleware's end-to-end cost in requests per second.
//
//	go run ./middleware/internal/wrkbench -addr 127.0.0.1:18081 -mode bare
//	go run ./middleware/internal/wrkbench -addr 127.0.0.1:18082 -mode probe
//	go run ./middleware/internal/wrkbench -addr 127.0.0.1:18083 -mode soak
//
// It listens on loopback only and exits on SIGINT/SIGTERM or after -max-run.
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
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/soaklab/soak/internal/loopback"
	"github.com/soaklab/soak/middleware"
	"github.com/soaklab/soak/middleware/echoprobe"
	"github.com/soaklab/soak/probe"
)

type story struct {
	Slug   string   `json:"slug"`
	Title  string   `json:"title"`
	Author string   `json:"author"`
	Tags   []string `json:"tags"`
	Words  int      `json:"words"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:18081", "loopback `host:port` to listen on")
	mode := flag.String("mode", "bare", "`bare` (echo and Recover), probe (plus probe and Echo middleware) or soak (plus rate limiter)")
	maxRun := flag.Duration("max-run", 10*time.Minute, "exit after this `duration` at the latest")
	headers := flag.String("ratelimit-headers", "near-limit", "in mode soak, the allowed responses that carry the RateLimit fields: `near-limit` (the default, none under wrk), always or denied")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to `file` (for finding where the middleware's cost goes under wrk)")
	flag.Parse()
	if *cpuProfile != "" {
		stop, err := profileCPU(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "wrkbench: -cpuprofile:", err)
			os.Exit(1)
		}
		defer stop()
	}
	if err := run(*addr, *mode, *headers, *maxRun); err != nil {
		fmt.Fprintln(os.Stderr, "wrkbench:", err)
		os.Exit(1) // (a failed run writes no profile)
	}
}

// profileCPU starts a CPU profile into path; stop ends and writes it.
func profileCPU(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "wrkbench: -cpuprofile:", err)
		}
	}, nil
}

func run(addr, mode, headers string, maxRun time.Duration) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !loopback.Host(host) {
		return fmt.Errorf("-addr %q: want a loopback host:port", addr)
	}
	hmode := middleware.HeaderMode(0)
	for hmode.String() != headers {
		if hmode++; hmode > middleware.HeadersDenied {
			return fmt.Errorf("-ratelimit-headers %q: want near-limit, always or denied", headers)
		}
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Logger.SetOutput(io.Discard)
	switch mode {
	case "bare":
		e.Use(echomw.Recover())
	case "probe":
		e.Use(echoprobe.Middleware(probe.New()), echomw.Recover())
	case "soak":
		p := probe.New()
		e.Use(echoprobe.Middleware(p), echomw.Recover())
		// A policy wrk from one address never exhausts (one request per
		// 2.5 µs, burst 4000), so every request goes through the limiter.
		e.Use(echoprobe.RateLimitWithConfig(echoprobe.RateLimitConfig{
			Probe: p, Policy: middleware.Policy{Limit: 4000, Period: 10 * time.Millisecond}, Headers: hmode,
		}))
	default:
		return fmt.Errorf("-mode %q: want bare, probe or soak", mode)
	}
	e.GET("/api/stories/:slug", func(c echo.Context) error {
		return c.JSON(http.StatusOK, story{Slug: c.Param("slug"), Title: "A dragon's tale", Author: "user0042", Tags: []string{"fantasy", "dragons"}, Words: 5120})
	})
	e.GET("/health", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, maxRun)
	defer cancel()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	<-ctx.Done()
	shutdownCtx, cancelShutdown := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelShutdown()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

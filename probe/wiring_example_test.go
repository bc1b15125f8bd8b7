package probe_test

import (
	"context"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"github.com/soaklab/soak/middleware/echoprobe"
	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/pgxprobe"
	"github.com/soaklab/soak/probe/redisprobe"
)

// Example_wiring is the wiring shown in docs/probe.md: an echo service with
// a pgxpool pool and a go-redis client. (It needs the services, so it is
// compiled, not run; TestDocSnippets checks the document quotes it.)
func Example_wiring() {
	ctx := context.Background()
	p := probe.New(probe.WithToken(os.Getenv("SOAK_PROBE_TOKEN"))) // token optional on loopback; soak reads the same variable
	defer p.Close()

	cfg, err := pgxpool.ParseConfig(os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	db := pgxprobe.New(p, "main", cfg) // before NewWithConfig: adds the tracer beside cfg's own
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	db.Observe(pool)

	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	redisprobe.New(p, "cache", rdb) // adds the hook

	p.SetConfig(probe.ConfigRequestTimeout, "30s")
	err = p.DeclareRateLimit("api", probe.RateLimitPolicy{Limit: 100, Period: time.Minute, Algorithm: probe.GCRA, Key: probe.IdentityUser}) // a limiter of the service's own
	if err != nil {
		log.Fatal(err)
	}

	e := echo.New()
	e.Use(echoprobe.Middleware(p)) // per-route timing, labels for the leak registry

	admin, err := p.Listen("127.0.0.1:6061") // the admin endpoint: its own loopback listener
	if err != nil {
		log.Fatal(err)
	}
	defer admin.Close()
	// e.Start("127.0.0.1:8000")
}

// Example_inProcess reads the probe in the same process, as a Go test or
// soak's in-process mode does.
func Example_inProcess() {
	p := probe.New()
	snap, err := p.Snapshot(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	_ = snap.Runtime.LiveHeapBytes
	if err := p.Find(); err != nil { // goleak-style: nothing held now
		log.Fatal(err)
	}
}

// app is a service whose main builds the pool and the router in
// constructors of their own (docs/probe.md, "When the pool and the router
// are built apart"): the probe is made first and handed to each, and the
// service's shutdown closes it last.
type app struct {
	probe *probe.Probe
	pool  *pgxpool.Pool
	admin *probe.Server
}

func newPool(ctx context.Context, p *probe.Probe, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	db := pgxprobe.New(p, "main", cfg) // the probe comes in; the tracer goes on before the pool exists
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	db.Observe(pool)
	return pool, nil
}

func newRouter(p *probe.Probe) *echo.Echo {
	e := echo.New()
	e.Use(echoprobe.Middleware(p))
	return e
}

func newApp(ctx context.Context) (*app, *echo.Echo, error) {
	p := probe.New(probe.WithToken(os.Getenv("SOAK_PROBE_TOKEN")))
	pool, err := newPool(ctx, p, os.Getenv("DATABASE_URL"))
	if err != nil {
		return nil, nil, err
	}
	admin, err := p.Listen("127.0.0.1:6061")
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	return &app{probe: p, pool: pool, admin: admin}, newRouter(p), nil
}

// Close is the service's shutdown, after its HTTP server stopped: the
// admin listener, the pool, then the probe (what defer p.Close() was in
// a single main).
func (a *app) Close() {
	a.admin.Close()
	a.pool.Close()
	a.probe.Close()
}

// Example_wiringApart wires the probe into a service that builds its
// pool and its router apart (compiled, not run: it needs PostgreSQL).
func Example_wiringApart() {
	a, e, err := newApp(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	_ = e // e.Start("127.0.0.1:8000")
}

// Example_besidePprof serves the probe where net/http/pprof already
// listens on 127.0.0.1:6061: on another port, or mounted on the same mux.
func Example_besidePprof() {
	p := probe.New()
	admin, err := p.Listen("127.0.0.1:6062") // :6061 is net/http/pprof's here: another port
	if err != nil {
		log.Fatal(err)
	}
	defer admin.Close()

	http.Handle("/soak/", http.StripPrefix("/soak", p.Handler())) // or on pprof's mux: soak --probe http://127.0.0.1:6061/soak
}

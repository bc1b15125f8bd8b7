package probe_test

import (
	"context"
	"log"
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
	p := probe.New(probe.WithToken(os.Getenv("PROBE_TOKEN"))) // token optional on loopback
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

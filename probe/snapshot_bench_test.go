package probe_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/soaklab/soak/internal/testenv"
	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/pgxprobe"
	"github.com/soaklab/soak/probe/redisprobe"
)

// BenchmarkSnapshot takes a snapshot of a service with 2 pools, 1 Redis
// client and 50 routes, all with traffic recorded (INFO and pool stats
// from the real servers; INFO is polled once per interval, as in service).
func BenchmarkSnapshot(b *testing.B) {
	p := probe.New()
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		cfg, err := pgxpool.ParseConfig(testenv.DatabaseURL(b))
		if err != nil {
			b.Fatal(err)
		}
		pg := pgxprobe.New(p, fmt.Sprint("pool", i), cfg)
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		defer pool.Close()
		pg.Observe(pool)
		for q := 0; q < 20; q++ {
			if _, err := pool.Exec(ctx, fmt.Sprintf("SELECT %d AS c%d", q, q)); err != nil {
				b.Fatal(err)
			}
		}
	}
	opt, _ := redis.ParseURL(testenv.RedisURL(b))
	rc := redis.NewClient(opt)
	defer rc.Close()
	redisprobe.New(p, "cache", rc)
	for _, c := range []string{"get", "set", "mget", "del"} {
		rc.Do(ctx, c, "soak-bench-none")
	}
	for r := 0; r < 50; r++ {
		rs := p.HTTP().Route("GET", fmt.Sprintf("/api/route/%d", r))
		for i := 0; i < 1000; i++ {
			rs.Done(200+i%3*100, time.Duration(i*37)*time.Microsecond, 100, 1000)
		}
	}
	p.Cache("pages").Hit()
	if _, err := p.Snapshot(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	defer testenv.CPUPerOp(b)()
	for b.Loop() {
		if _, err := p.Snapshot(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

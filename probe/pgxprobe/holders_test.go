package pgxprobe_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/soaklab/soak/internal/testenv"
	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/label"
	"github.com/soaklab/soak/probe/pgxprobe"
)

// namedPool is newPool with an application_name of its own, so that
// pg_stat_activity's sessions of this pool can be counted.
func namedPool(t *testing.T, p *probe.Probe, maxConns int32) (*pgxpool.Pool, string) {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(testenv.DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	app := testenv.Name(t)
	cfg.MaxConns = maxConns
	cfg.ConnConfig.RuntimeParams["application_name"] = app
	pg := pgxprobe.New(p, "main", cfg)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	pg.Observe(pool)
	t.Cleanup(pool.Close)
	return pool, app
}

// sessions counts pg_stat_activity's client backends named app, asked on
// a connection of its own.
func sessions(t *testing.T, app string) int {
	t.Helper()
	c, err := pgx.Connect(context.Background(), testenv.DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var n int
	if err := c.QueryRow(context.Background(), "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", app).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPGXRowsLeakCount leaks the rows of 20 queries on a pool of 20: the
// registry, the snapshot and pg_stat_activity all say 20 connections.
func TestPGXRowsLeakCount(t *testing.T) {
	p := probe.New()
	pool, app := namedPool(t, p, 20)
	var leaked []pgx.Rows
	t.Cleanup(func() {
		for _, r := range leaked {
			r.Close()
		}
	})
	for range 20 {
		rows, err := forgetRows(shelvesCtx(), pool)
		if err != nil {
			t.Fatal(err)
		}
		leaked = append(leaked, rows)
	}
	r := p.Leaks(0)
	held := 0
	for _, g := range r.Groups {
		if g.Source == "main" {
			held += g.Count
		}
	}
	snap, err := p.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := snap.Pool("main")
	pg := sessions(t, app)
	if held != 20 || ps.HeldConns != 20 || ps.AcquiredConns != 20 || pg != 20 {
		t.Errorf("registry %d held, snapshot %d held (%d acquired), pg_stat_activity %d sessions; want 20 each",
			held, ps.HeldConns, ps.AcquiredConns, pg)
	}
}

// TestPGXHoldProfile holds connections 15 ms (on the probe's clock)
// beyond their statement in one function, and releases them right after
// in another: the profile puts the first on top, with its route.
func TestPGXHoldProfile(t *testing.T) {
	now := time.Now()
	var offset atomic.Int64
	p := probe.New(probe.WithClock(func() time.Time { return now.Add(time.Duration(offset.Load())) }))
	pool, _ := newPool(t, p, 4)
	ctx := label.NewContext(context.Background(), &label.Info{Method: "GET", Route: "/stories/:id"})
	for range 5 {
		if err := slowHolder(ctx, pool, func() { offset.Add(int64(15 * time.Millisecond)) }); err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(context.Background(), "SELECT 1"); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := p.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := snap.Pool("main")
	if len(ps.Holders) < 2 {
		t.Fatalf("holders = %+v", ps.Holders)
	}
	top := ps.Holders[0]
	if !strings.HasSuffix(top.Function, ".slowHolder") || top.Route != "/stories/:id" || top.Method != "GET" || top.Releases != 5 {
		t.Errorf("top holder = %+v", top)
	}
	if top.HeldMicros < 5*15_000 || top.BusyMicros >= top.HeldMicros || top.MaxHeldMicros < 15_000 {
		t.Errorf("top holder held %d µs, busy %d µs, max %d µs; want >= 75000 held, busy below it", top.HeldMicros, top.BusyMicros, top.MaxHeldMicros)
	}
	for _, h := range ps.Holders[1:] {
		if h.HeldMicros >= 15_000 {
			t.Errorf("holder %+v held a connection beyond the clock's steps", h)
		}
	}
}

// slowHolder acquires, runs a statement, does other work (work) and then
// releases.
func slowHolder(ctx context.Context, pool *pgxpool.Pool, work func()) error {
	c, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	if _, err := c.Exec(ctx, "SELECT 1"); err != nil {
		return err
	}
	work()
	return nil
}

// TestPGXWaitingAndCanceled holds the only connection of a pool: the
// acquires behind it are counted as waiting while they wait, and as
// canceled by pgxpool once their contexts end.
func TestPGXWaitingAndCanceled(t *testing.T) {
	p := probe.New()
	pool, _ := newPool(t, p, 1)
	c, err := pool.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	before, err := p.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ps0, _ := before.Pool("main") // the first acquire waited for a new connection
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := pool.Acquire(ctx)
			if err == nil {
				c.Release()
			}
			errs <- err
		}()
	}
	var ps probe.PoolSnapshot
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		snap, err := p.Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if ps, _ = snap.Pool("main"); ps.WaitingAcquires == 3 {
			break
		}
	}
	if ps.WaitingAcquires != 3 {
		t.Errorf("waiting acquires = %d, want 3", ps.WaitingAcquires)
	}
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("acquire: %v", err)
		}
	}
	c.Release()
	snap, err := p.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ps, _ = snap.Pool("main")
	if ps.WaitingAcquires != 0 || ps.CanceledAcquireCount != 3 || ps.EmptyAcquireCount != ps0.EmptyAcquireCount {
		t.Errorf("after cancel: waiting %d canceled %d empty %d (%d before); want 0, 3 and no new empty acquire",
			ps.WaitingAcquires, ps.CanceledAcquireCount, ps.EmptyAcquireCount, ps0.EmptyAcquireCount)
	}
}

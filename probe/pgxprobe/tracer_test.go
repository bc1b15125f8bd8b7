package pgxprobe_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
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

// newPool returns a pool of at most maxConns on the test database,
// instrumented by p under the name "main".
func newPool(t *testing.T, p *probe.Probe, maxConns int32, opts ...pgxprobe.Option) (*pgxpool.Pool, *pgxprobe.Tracer) {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(testenv.DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = maxConns
	pg := pgxprobe.New(p, "main", cfg, opts...)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	pg.Observe(pool)
	t.Cleanup(pool.Close)
	return pool, pg
}

func shelvesCtx() context.Context {
	return label.NewContext(context.Background(), &label.Info{
		Set:    label.Set{Run: "run-1", Class: "AuthenticatedUser", User: "17", Request: "/api/library/shelves"},
		Method: "GET", Route: "/api/library/shelves",
	})
}

// leakyShelves acquires a connection and "forgets" to release it.
func leakyShelves(ctx context.Context, pool *pgxpool.Pool) (*pgxpool.Conn, error) {
	c, err := pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	_, err = c.Exec(ctx, "SELECT 1")
	return c, err
}

// forgetRows runs a query and never closes its rows.
func forgetRows(ctx context.Context, pool *pgxpool.Pool) (pgx.Rows, error) {
	return pool.Query(ctx, "SELECT generate_series(1, 3)")
}

func findGroup(r *probe.LeakReport, kind string) *probe.LeakGroup {
	for i := range r.Groups {
		if r.Groups[i].Kind == kind {
			return &r.Groups[i]
		}
	}
	return nil
}

func TestPGXLeakedConnection(t *testing.T) {
	now := time.Now()
	var offset atomic.Int64
	p := probe.New(probe.WithClock(func() time.Time { return now.Add(time.Duration(offset.Load())) }))
	pool, _ := newPool(t, p, 4)
	if err := p.Find(); err != nil {
		t.Fatalf("Find before any leak: %v", err)
	}
	c, err := leakyShelves(shelvesCtx(), pool)
	if err != nil {
		t.Fatal(err)
	}
	offset.Store(int64(45 * time.Second))
	r := p.Leaks(30 * time.Second)
	g := findGroup(r, probe.LeakPGXConn)
	if g == nil {
		t.Fatalf("no pgx-conn group in %+v", r)
	}
	if !strings.HasSuffix(g.Function, ".leakyShelves") {
		t.Errorf("function = %q, want leakyShelves; stack %+v", g.Function, g.Stack)
	}
	if g.Count != 1 || g.OldestSeconds < 45 || g.Source != "main" {
		t.Errorf("group = %+v", g)
	}
	if len(g.Routes) != 1 || g.Routes[0].Route != "/api/library/shelves" || g.Routes[0].Count != 1 {
		t.Errorf("routes = %+v", g.Routes)
	}
	if h := g.Holders[0]; h.Run != "run-1" || h.Class != "AuthenticatedUser" || h.User != "17" || h.Method != "GET" {
		t.Errorf("holder = %+v", h)
	}
	snap, err := p.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := snap.Pool("main")
	if ps.HeldConns != 1 || ps.LeakSuspects != 1 || ps.AcquiredConns != 1 || ps.OldestHeldSeconds < 45 {
		t.Errorf("pool snapshot = held %d suspects %d acquired %d oldest %v", ps.HeldConns, ps.LeakSuspects, ps.AcquiredConns, ps.OldestHeldSeconds)
	}
	if snap.Leaks.Suspects != 1 {
		t.Errorf("leak summary = %+v", snap.Leaks)
	}
	err = p.Find(probe.MaxWait(10 * time.Millisecond))
	if err == nil || !strings.Contains(err.Error(), "leakyShelves") {
		t.Errorf("Find = %v, want the leak named", err)
	}
	c.Release()
	if err := p.Find(); err != nil {
		t.Errorf("Find after release: %v", err)
	}
	if r := p.Leaks(0); len(r.Groups) != 0 {
		t.Errorf("groups after release: %+v", r.Groups)
	}
}

func TestPGXRowsNeverClosed(t *testing.T) {
	p := probe.New()
	pool, _ := newPool(t, p, 4)
	rows, err := forgetRows(shelvesCtx(), pool)
	if err != nil {
		t.Fatal(err)
	}
	r := p.Leaks(0)
	// One connection held by open rows is one entry: the connection,
	// naming the statement whose rows hold it.
	if q := findGroup(r, probe.LeakPGXQuery); q != nil {
		t.Errorf("rows on a held connection listed apart from it: %+v", q)
	}
	c := findGroup(r, probe.LeakPGXConn)
	if c == nil || !strings.HasSuffix(c.Function, ".forgetRows") || c.Count != 1 || c.SQL != "SELECT generate_series(?, ?)" {
		t.Fatalf("the connection behind the rows is not reported as held by forgetRows with its statement: %+v", c)
	}
	snap, _ := p.Snapshot(context.Background())
	if ps, _ := snap.Pool("main"); ps.OpenQueries != 1 {
		t.Errorf("open queries = %d", ps.OpenQueries)
	}
	rows.Close()
	if err := p.Find(); err != nil {
		t.Errorf("after Close: %v", err)
	}
	snap, _ = p.Snapshot(context.Background())
	ps, _ := snap.Pool("main")
	if ps.OpenQueries != 0 || len(ps.Statements) != 1 || ps.Statements[0].Calls != 1 || ps.Statements[0].Rows != 3 {
		t.Errorf("after Close: open %d statements %+v", ps.OpenQueries, ps.Statements)
	}
}

func TestPGXExhaustedPool(t *testing.T) {
	p := probe.New()
	pool, _ := newPool(t, p, 2)
	release := make(chan struct{})
	var started, done atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started.Add(1)
			c, err := pool.Acquire(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			<-release
			c.Release()
			done.Add(1)
		}()
	}
	// Wait (bounded) until two hold and the other eight queue behind them.
	for i := 0; i < 500 && (started.Load() < 10 || pool.Stat().AcquiredConns() < 2); i++ {
		time.Sleep(2 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // let the eight reach the pool's wait
	mid, _ := p.Snapshot(context.Background())
	close(release)
	wg.Wait()
	snap, _ := p.Snapshot(context.Background())
	ps, _ := snap.Pool("main")
	if done.Load() != 10 || ps.AcquireCount != 10 {
		t.Fatalf("done %d, acquires %d", done.Load(), ps.AcquireCount)
	}
	if ps.EmptyAcquireCount < 3 || ps.EmptyAcquireWaitSeconds <= 0 {
		t.Errorf("empty acquires %d wait %vs: exhaustion not visible", ps.EmptyAcquireCount, ps.EmptyAcquireWaitSeconds)
	}
	if mp, _ := mid.Pool("main"); mp.Utilization != 1 || mp.HeldConns != 2 || mp.MaxConns != 2 {
		t.Errorf("while exhausted: utilization %v held %d max %d", mp.Utilization, mp.HeldConns, mp.MaxConns)
	}
	if p.Config()[probe.ConfigDBPoolMax] != "2" {
		t.Errorf("pool max config = %q", p.Config()[probe.ConfigDBPoolMax])
	}
}

func TestPGXBesideAppTracer(t *testing.T) {
	cfg, err := pgxpool.ParseConfig(testenv.DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	app := &countingTracer{}
	cfg.ConnConfig.Tracer = app
	p := probe.New()
	pg := pgxprobe.New(p, "main", cfg)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	pg.Observe(pool)
	if _, err := pool.Exec(context.Background(), "SELECT $1::int", 1); err != nil {
		t.Fatal(err)
	}
	snap, _ := p.Snapshot(context.Background())
	ps, _ := snap.Pool("main")
	if app.n.Load() != 1 || len(ps.Statements) != 1 || ps.Statements[0].SQL != "SELECT $1::int" || ps.Statements[0].Latency.Count != 1 {
		t.Errorf("app tracer saw %d, probe %+v", app.n.Load(), ps.Statements)
	}
}

type countingTracer struct{ n atomic.Int32 }

func (c *countingTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (c *countingTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func TestPGXHijacked(t *testing.T) {
	p := probe.New()
	pool, pg := newPool(t, p, 2)
	c, err := pool.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	conn := c.Hijack()
	defer conn.Close(context.Background())
	snap, _ := p.Snapshot(context.Background())
	if ps, _ := snap.Pool("main"); ps.HijackedConns != 1 {
		t.Errorf("unreported hijack: hijacked = %d (held %d, acquired %d)", ps.HijackedConns, ps.HeldConns, ps.AcquiredConns)
	}
	pg.Hijacked(conn)
	r := p.Leaks(0)
	if findGroup(r, probe.LeakPGXConn) != nil || findGroup(r, probe.LeakPGXHijacked) == nil {
		t.Errorf("after Hijacked: %+v", r.Groups)
	}
	snap, _ = p.Snapshot(context.Background())
	if ps, _ := snap.Pool("main"); ps.HijackedConns != 1 || ps.HeldConns != 0 {
		t.Errorf("after Hijacked: hijacked %d held %d", ps.HijackedConns, ps.HeldConns)
	}
	pg.Closed(conn)
	if err := p.Find(); err != nil {
		t.Error(err)
	}
}

func TestPGXStatActivity(t *testing.T) {
	p := probe.New()
	defer p.Close()
	pool, _ := newPool(t, p, 2, pgxprobe.WithStatActivity())
	c, err := pool.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	snap, _ := p.Snapshot(context.Background())
	ps, _ := snap.Pool("main")
	a := ps.ServerActivity
	if a == nil || a.Total < 1 || a.MaxConnections < 1 || a.ServerVersion == "" || ps.Error != "" {
		t.Fatalf("server activity = %+v, error %q", a, ps.Error)
	}
}

func TestPGXStatementCap(t *testing.T) {
	p := probe.New()
	pool, _ := newPool(t, p, 2, pgxprobe.WithMaxStatements(3))
	for i := 0; i < 6; i++ {
		sql := "SELECT " + strings.Repeat("1, ", i) + "1 AS c"
		if _, err := pool.Exec(context.Background(), sql); err != nil {
			t.Fatal(err)
		}
	}
	snap, _ := p.Snapshot(context.Background())
	ps, _ := snap.Pool("main")
	var calls uint64
	var overflow bool
	for _, s := range ps.Statements {
		calls += s.Calls
		overflow = overflow || s.SQL == probe.OverflowStatement
	}
	if len(ps.Statements) != 4 || !overflow || calls != 6 || ps.MaxStatements != 3 {
		t.Errorf("%d statements (overflow %v, calls %d): %+v", len(ps.Statements), overflow, calls, ps.Statements)
	}
}

func TestPGXDatabaseDown(t *testing.T) {
	cfg, err := pgxpool.ParseConfig("postgres://root:hunter2@127.0.0.1:1/test?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	p := probe.New()
	pg := pgxprobe.New(p, "down", cfg)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	pg.Observe(pool)
	if _, err := pool.Exec(context.Background(), "SELECT 1"); err == nil {
		t.Fatal("query against a closed port succeeded")
	}
	snap, err := p.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := snap.Pool("down")
	if ps.Error == "" || ps.AcquireErrors != 1 || len(snap.Errors) == 0 {
		t.Errorf("error not reported: %+v / %v", ps, snap.Errors)
	}
	b, _ := json.Marshal(snap)
	if strings.Contains(string(b), "hunter2") {
		t.Error("the password appears in the snapshot")
	}
	// The admin endpoint keeps serving, with the error in the snapshot.
	srv := httptest.NewServer(p.Handler())
	defer srv.Close()
	c, _ := probe.NewClient(srv.URL, "")
	remote, err := c.Snapshot(context.Background())
	if err != nil || len(remote.Errors) == 0 {
		t.Errorf("over HTTP with the database down: %v, errors %v", err, remote)
	}
}

// TestPGXConcurrent drives a small pool from many goroutines while others
// read snapshots and leak reports: -race must stay silent and nothing may
// be left held.
func TestPGXConcurrent(t *testing.T) {
	p := probe.New()
	pool, _ := newPool(t, p, 5)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := 0; g < 100; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				rows, err := pool.Query(shelvesCtx(), "SELECT $1::int", i)
				if err != nil {
					t.Error(err)
					return
				}
				rows.Close()
			}
		}()
	}
	var readers sync.WaitGroup
	readers.Add(1)
	go func() {
		defer readers.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := p.Snapshot(context.Background()); err != nil {
				t.Error(err)
			}
			p.Leaks(0)
		}
	}()
	wg.Wait()
	close(stop)
	readers.Wait()
	p.VerifyNone(t)
	snap, _ := p.Snapshot(context.Background())
	ps, _ := snap.Pool("main")
	if len(ps.Statements) != 1 || ps.Statements[0].Calls != 500 || ps.AcquireCount != 500 {
		t.Errorf("statements %+v, acquires %d", ps.Statements, ps.AcquireCount)
	}
}

// TestPGXHeldAtAcquire: three connections held at once, given back, then
// one taken and hijacked (reported): HeldAtAcquire counts one acquire
// that made 1, 2 and 3 held, then another that made 1 (the hijacked one
// no longer held), and the pool's own peak agrees.
func TestPGXHeldAtAcquire(t *testing.T) {
	p := probe.New()
	pool, pg := newPool(t, p, 4)
	ctx := context.Background()
	var conns []*pgxpool.Conn
	for range 3 {
		c, err := pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	snap, _ := p.Snapshot(ctx)
	ps, _ := snap.Pool("main")
	if want := []uint64{0, 1, 1, 1}; !slices.Equal(ps.HeldAtAcquire, want) || ps.AcquiredConns != 3 {
		t.Errorf("three held: held_at_acquire %v (want %v), acquired %d", ps.HeldAtAcquire, want, ps.AcquiredConns)
	}
	for _, c := range conns {
		c.Release()
	}
	c, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	conn := c.Hijack()
	defer conn.Close(ctx)
	pg.Hijacked(conn)
	c2, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c2.Release()
	snap, _ = p.Snapshot(ctx)
	ps, _ = snap.Pool("main")
	if want := []uint64{0, 3, 1, 1}; !slices.Equal(ps.HeldAtAcquire, want) {
		t.Errorf("after the releases and the hijack: held_at_acquire %v, want %v", ps.HeldAtAcquire, want)
	}
	pg.Closed(conn)
}

// TestPGXHeldAtAcquireBound: a pool of 1,000 holding 300 at once keeps
// 257 counts, the last for 256 held or more.
func TestPGXHeldAtAcquireBound(t *testing.T) {
	p := probe.New()
	cfg, err := pgxpool.ParseConfig("postgres://127.0.0.1:1/none?pool_max_conns=1000")
	if err != nil {
		t.Fatal(err)
	}
	pg := pgxprobe.New(p, "big", cfg)
	for range 300 {
		pg.TraceAcquireEnd(context.Background(), nil, pgxpool.TraceAcquireEndData{Conn: &pgx.Conn{}})
	}
	snap, _ := p.Snapshot(context.Background())
	ps, _ := snap.Pool("big")
	if n := len(ps.HeldAtAcquire); n != 257 || ps.HeldAtAcquire[256] != 45 || ps.HeldAtAcquire[255] != 1 {
		t.Errorf("held_at_acquire: %d entries, last %v; want 257, the last 45", n, ps.HeldAtAcquire[max(n-2, 0):])
	}
}

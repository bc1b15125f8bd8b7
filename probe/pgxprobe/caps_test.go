package pgxprobe

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/soaklab/soak/internal/testenv"
	"github.com/soaklab/soak/probe"
)

func TestHeldCap(t *testing.T) {
	p := probe.New(probe.WithMaxHeld(100))
	pg := New(p, "main", nil)
	ctx := context.Background()
	for i := 0; i < 1000; i++ {
		pg.TraceAcquireEnd(ctx, nil, pgxpool.TraceAcquireEndData{Conn: &pgx.Conn{}})
	}
	snap, _ := p.Snapshot(ctx)
	ps, _ := snap.Pool("main")
	if ps.HeldConns != 100 || ps.UntrackedHolds != 900 {
		t.Errorf("held %d untracked %d, want 100 and 900", ps.HeldConns, ps.UntrackedHolds)
	}
}

func TestRawSQLCap(t *testing.T) {
	p := probe.New()
	pg := New(p, "main", nil, WithMaxStatements(4))
	ctx := context.Background()
	conn := &pgx.Conn{}
	for i := 0; i < 1000; i++ {
		pg.TraceQueryStart(ctx, conn, pgx.TraceQueryStartData{SQL: fmt.Sprintf("SELECT * FROM t WHERE id = %d", i)})
		pg.TraceQueryEnd(ctx, conn, pgx.TraceQueryEndData{})
	}
	if n := pg.stmts.raw.Len(); n != 16 {
		t.Errorf("raw SQL cache holds %d texts, want 4 x 4", n)
	}
	snap, _ := p.Snapshot(ctx)
	ps, _ := snap.Pool("main")
	if len(ps.Statements) != 1 || ps.Statements[0].Calls != 1000 || ps.Statements[0].SQL != "SELECT * FROM t WHERE id = ?" {
		t.Errorf("statements = %+v", ps.Statements)
	}
}

func TestOptionsRefuseBadValues(t *testing.T) {
	defer func() {
		if err, ok := recover().(error); !ok || err.Error() != "pgxprobe: WithMaxStatements(0): must be at least 1" {
			t.Errorf("New panicked with %v, want an error naming the option", err)
		}
	}()
	New(probe.New(), "main", nil, WithMaxStatements(0), nil)
}

// churn runs n acquire/query/release cycles over 50 connections, 20
// statements with literal values and 10 call sites, as a service does.
func churn(pg *Tracer, n int) {
	ctx := labelled()
	conns := make([]*pgx.Conn, 50)
	for i := range conns {
		conns[i] = &pgx.Conn{}
	}
	end := pgx.TraceQueryEndData{CommandTag: pgconn.NewCommandTag("SELECT 1")}
	for i := 0; i < n; i++ {
		c := conns[i%len(conns)]
		atDepth(i%10, func() {
			pg.TraceAcquireEnd(ctx, nil, pgxpool.TraceAcquireEndData{Conn: c})
			pg.TraceQueryStart(ctx, c, pgx.TraceQueryStartData{SQL: fmt.Sprintf("SELECT * FROM t%d WHERE id = %d", i%20, i)})
			pg.TraceQueryEnd(ctx, c, end)
			pg.TraceRelease(nil, pgxpool.TraceReleaseData{Conn: c})
		})
	}
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestMemoryBounded: the probe holds the same memory after 1 M (10 M with
// SOAK_LONG=1) acquisitions as after 10 K.
func TestMemoryBounded(t *testing.T) {
	n := 1_000_000
	if testenv.Long() {
		n = 10_000_000
	}
	if testing.Short() || raceEnabled {
		n = 200_000
	}
	p := probe.New()
	pg := New(p, "main", nil)
	churn(pg, 10_000)
	before := heapInUse()
	churn(pg, n)
	after := heapInUse()
	growth := int64(after) - int64(before)
	t.Logf("heap in use after 10K: %d KiB; after %d more: %d KiB", before>>10, n, after>>10)
	if growth > 512<<10 {
		t.Errorf("heap grew by %d KiB over %d acquisitions", growth>>10, n)
	}
	snap, _ := p.Snapshot(context.Background())
	ps, _ := snap.Pool("main")
	if ps.HeldConns != 0 || ps.OpenQueries != 0 || len(ps.Statements) != 20 || snap.Leaks.Stacks > 40 {
		t.Errorf("held %d open %d statements %d stacks %d", ps.HeldConns, ps.OpenQueries, len(ps.Statements), snap.Leaks.Stacks)
	}
	runtime.KeepAlive(p)
}

package demo

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// faultState runs the planted faults of one Service. The functions that
// leak have plain names and are never inlined, so that a stack, a heap
// profile or a goroutine profile names them: leakShelvesConnection,
// awaitTrendingRefresh, rememberStoryView, rankWhileHoldingConn,
// forgetShelvesRows.
//
// Everything a fault keeps is owned here, so Close can give it back: the
// leaked connections are released (pgxpool.Close would otherwise wait for
// them forever) and the leaked goroutines are woken.
type faultState struct {
	set faultSet

	shelvesSeen  atomic.Uint64
	trendingSeen atomic.Uint64

	stop chan struct{} // closed by close: wakes the leaked goroutines
	wg   sync.WaitGroup

	mu       sync.Mutex
	leaked   []*pgxpool.Conn
	rows     []pgx.Rows // left open by forgetShelvesRows
	reserved int        // connections leaked or being leaked
	retained [][]byte
	closed   bool
}

func newFaultState(set faultSet) *faultState {
	return &faultState{set: set, stop: make(chan struct{})}
}

// onShelves runs on every GET /api/library/shelves.
func (f *faultState) onShelves(ctx context.Context, pool *pgxpool.Pool) {
	if pool == nil || !f.set.connLeak && !f.set.rowsLeak {
		return
	}
	n := f.shelvesSeen.Add(1)
	if f.set.connLeak && n%ConnLeakEvery == 0 {
		f.leakShelvesConnection(ctx, pool)
	}
	if f.set.rowsLeak && n%RowsLeakEvery == 0 {
		f.forgetShelvesRows(ctx, pool)
	}
}

// forgetShelvesRows is the rows-leak bug: it queries the user's shelves
// for a badge and returns without closing the rows, so the connection
// behind them stays out of the pool. The query runs apart from the
// request's cancellation (as a background refresh would), so the session
// stays open. It stops when half the pool is held, as conn-leak does.
//
//go:noinline
func (f *faultState) forgetShelvesRows(ctx context.Context, pool *pgxpool.Pool) {
	f.mu.Lock()
	if f.closed || f.reserved >= int(pool.Config().MaxConns)/2 {
		f.mu.Unlock()
		return
	}
	f.reserved++
	f.mu.Unlock()
	rows, err := pool.Query(context.WithoutCancel(ctx), `SELECT id FROM shelves LIMIT 1`)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		f.reserved--
		return
	}
	f.rows = append(f.rows, rows)
}

// leakedRows returns how many rows forgetShelvesRows left open.
func (f *faultState) leakedRows() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.rows)
}

// leakShelvesConnection is the conn-leak bug: it acquires a connection
// to count the user's shelves for an audit, and returns without releasing
// it. It stops when half the pool is held, so the service keeps answering
// and a report can name the leak instead of a dead service.
//
//go:noinline
func (f *faultState) leakShelvesConnection(ctx context.Context, pool *pgxpool.Pool) {
	f.mu.Lock()
	if f.reserved >= int(pool.Config().MaxConns)/2 {
		f.mu.Unlock()
		return
	}
	f.reserved++
	f.mu.Unlock()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		f.mu.Lock()
		f.reserved--
		f.mu.Unlock()
		return
	}
	var n int64
	_ = conn.QueryRow(ctx, `SELECT count(*) FROM shelves`).Scan(&n)
	f.mu.Lock()
	f.leaked = append(f.leaked, conn)
	f.mu.Unlock()
}

// onTrending runs on every GET /api/discovery/trending.
func (f *faultState) onTrending() {
	if !f.set.goroutineLeak || f.trendingSeen.Add(1)%GoroutineLeakEvery != 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	refreshed := make(chan struct{}) // nobody ever closes or sends on it
	f.wg.Add(1)
	go f.awaitTrendingRefresh(refreshed)
}

// onTrendingSlow runs on every GET /api/discovery/trending: under
// slow-trending it waits SlowTrendingDelay (less when ctx ends).
func (f *faultState) onTrendingSlow(ctx context.Context) {
	if f.set.slowTrending {
		_ = rankTrendingSlowly(ctx, SlowTrendingDelay)
	}
}

// rankTrendingSlowly is the slow-trending regression: a ranking pass
// that costs d for nothing. It returns early when ctx ends.
//
//go:noinline
func rankTrendingSlowly(ctx context.Context, d time.Duration) error {
	return rankWhileHoldingConn(ctx, d)
}

// awaitTrendingRefresh is the goroutine-leak bug: it waits for a refresh
// signal that never comes. Only Close (f.stop) ends it.
//
//go:noinline
func (f *faultState) awaitTrendingRefresh(refreshed <-chan struct{}) {
	defer f.wg.Done()
	select {
	case <-refreshed:
	case <-f.stop:
	}
}

// onStoryView runs on every GET /api/stories/:slug with the page served.
func (f *faultState) onStoryView(page []byte) {
	if f.set.heapLeak {
		f.rememberStoryView(page)
	}
}

// rememberStoryView is the heap-leak bug: it keeps a HeapLeakBytes copy of
// every page served, "for analytics", in a slice nothing ever trims.
//
//go:noinline
func (f *faultState) rememberStoryView(page []byte) {
	kept := make([]byte, HeapLeakBytes)
	copy(kept, page)
	f.mu.Lock()
	f.retained = append(f.retained, kept)
	f.mu.Unlock()
}

// retainedBytes returns how much rememberStoryView holds.
func (f *faultState) retainedBytes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.retained) * HeapLeakBytes
}

// leakedConns returns how many connections leakShelvesConnection holds.
func (f *faultState) leakedConns() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.leaked)
}

// rankWhileHoldingConn is the pool-exhausted bug: search calls it after its
// query while still holding its connection, so the connection is busy for
// d doing nothing with the database. It returns early when ctx ends.
//
//go:noinline
func rankWhileHoldingConn(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close wakes the leaked goroutines, waits for them, and releases the
// leaked connections. The retained heap is dropped with the Service.
func (f *faultState) close() {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	close(f.stop)
	f.wg.Wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.leaked {
		c.Release()
	}
	for _, r := range f.rows {
		r.Close()
	}
	f.leaked, f.rows, f.retained = nil, nil, nil
}

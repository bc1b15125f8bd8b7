package main

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/probe"
)

// The tests of this file run soak against services that behave in ways
// a leak detector could mistake for a leak, and are not: each asserts
// the finding's verdict, and that the run showed the behaviour (a test of
// a shape the run did not produce would test nothing).

// Goroutines that outlive their requests and end on their own (here
// each request starts one that ends 5.5 s later, a delayed clean-up)
// grow through a 6-second run's steady state as a leak's do, and
// hundreds are left when a short drain ends; but the drain sees them
// ending. That is not a leak: the finding is inconclusive and says they
// were still ending.
//
// Not parallel: the target runs in this test binary, whose goroutine
// profiles the probe reads, and the parallel tests' connections (their
// servers' and clients' goroutines in net.(*netFD).Read, rising while
// this run's steady state goes on) would read as a growing stack. Go
// runs the parallel tests after the sequential ones, so this one sees
// only its own.
func TestGoroutinesOutlivingRequests(t *testing.T) {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	t.Cleanup(func() { close(stop); wg.Wait() })
	tg := newProbedTarget(t, func(_ *probe.Probe, h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				select {
				case <-time.After(5500 * time.Millisecond):
				case <-stop:
				}
			}()
			h.ServeHTTP(w, r)
		})
	})
	p, _, doc := tg.soakTrends(t, "2", "20ms", "4s")
	if p.code == exitOK {
		t.Fatalf("exit %d: healthy:\n%s", p.code, p.stdout)
	}
	f := findingOf(doc, analysis.DetectorGoroutineLeak)
	if f == nil || f.Goroutines == nil {
		t.Fatal("no goroutine-leak finding")
	}
	g := f.Goroutines
	if !g.Unexplained.Rising() || g.Residue < 10 {
		t.Fatalf("the goroutines did not grow through the steady state and stay (trend %+v, residue %d): the test tests nothing\n%s",
			g.Unexplained, g.Residue, f.Summary)
	}
	if f.Verdict != analysis.VerdictInconclusive || !strings.Contains(f.Summary, "still ending") || !g.DrainFalling.Falling() {
		t.Errorf("verdict %s, drain trend %+v: %s", f.Verdict, g.DrainFalling, f.Summary)
	}
}

// A queue that backs up under load and is worked off after it: each
// request enqueues a job, and one worker runs the jobs on a pooled
// PostgreSQL connection (20 ms each, slower than they arrive). When the
// drain ends the worker still holds a connection, taken after the load
// stopped: work after the load, not a leak.
func TestQueueWorkedOffAfterTheLoad(t *testing.T) {
	t.Parallel()
	jobs := make(chan struct{}, 100000)
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	tg := newProbedTarget(t, func(pr *probe.Probe, h http.Handler) http.Handler {
		pool := probedPool(t, pr, 4)
		wg.Add(1)
		go func() { // the worker
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case <-jobs:
				}
				c, err := pool.Acquire(ctx)
				if err != nil {
					continue // stopping
				}
				_, _ = c.Exec(ctx, "SELECT pg_sleep(0.02)")
				c.Release()
			}
		}()
		t.Cleanup(func() { stop(); wg.Wait() })
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case jobs <- struct{}{}:
			default:
			}
			h.ServeHTTP(w, r)
		})
	})
	_, _, doc := tg.soakTrends(t, "2", "10ms", "3s")
	f := findingOf(doc, analysis.DetectorConnectionLeak)
	if f == nil || f.Connections == nil || len(f.Connections.Pools) != 1 {
		t.Fatal("no connection-leak finding with the pool")
	}
	if f.Verdict != analysis.VerdictOK {
		t.Errorf("verdict %s: %s\n%s", f.Verdict, f.Summary, strings.Join(f.Evidence, "\n"))
	}
	if r := f.Connections.Pools[0]; r.AfterDrain <= r.Baseline || !r.TakenAfterLoad {
		// The sample after the drain fell between two jobs (microseconds
		// in 20 ms): the run did not show the behaviour.
		t.Logf("pool %+v: no connection taken after the load was held at the drain's end", r)
	}
	if len(jobs) == 0 {
		t.Errorf("the queue did not back up: the worker kept pace with the load")
	}
}

// A connection taken on the first request and kept for good: a
// listener (LISTEN, then waiting for notifications) started on first
// use, on a real PostgreSQL pool. It is held after the drain, and was
// taken before the load stopped, but the steady load added nothing to
// it: a warning naming the listener, not a leak, and the run is healthy.
// The probe's leak threshold is 1 s so that the hold, seconds old at the
// drain's end, is in its leak report.
//
// Not parallel: it asserts the whole verdict (exit 0), and the target
// runs in this test binary, whose goroutine profiles the probe reads:
// the parallel tests' goroutines would read as a goroutine leak (see
// TestGoroutinesOutlivingRequests).
func TestListenerHeldSinceWarmup(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var once sync.Once
	tg := newProbedTarget(t, func(pr *probe.Probe, h http.Handler) http.Handler {
		pool := probedPool(t, pr, 4)
		t.Cleanup(func() { stop(); wg.Wait() })
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			once.Do(func() {
				wg.Add(1)
				go listenForever(ctx, &wg, pool)
			})
			var one int
			if err := pool.QueryRow(r.Context(), "SELECT 1").Scan(&one); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			h.ServeHTTP(w, r)
		})
	}, probe.WithLeakThreshold(time.Second))
	p, _, doc := tg.soakTrends(t, "2", "10ms", "2s")
	f := findingOf(doc, analysis.DetectorConnectionLeak)
	if f == nil || f.Connections == nil || len(f.Connections.Pools) != 1 {
		t.Fatal("no connection-leak finding with the pool")
	}
	if r := f.Connections.Pools[0]; r.AfterDrain != r.Baseline+1 {
		t.Fatalf("pool %+v: the listener's connection is not the one held after the drain: the run did not show the behaviour", r)
	}
	if f.Verdict != analysis.VerdictWarning || len(f.Suspects) == 0 || !strings.Contains(f.Suspects[0].Function, "listenForever") ||
		!f.Connections.Pools[0].HeldSinceWarmup {
		t.Errorf("verdict %s: %s\nsuspects %+v\n%s", f.Verdict, f.Summary, f.Suspects, strings.Join(f.Evidence, "\n"))
	}
	if p.code != exitOK {
		t.Errorf("exit %d, want %d (healthy, with the warning):\n%s", p.code, exitOK, p.stdout)
	}
}

// listenForever holds one of pool's connections for LISTEN until ctx
// ends.
func listenForever(ctx context.Context, wg *sync.WaitGroup, pool *pgxpool.Pool) {
	defer wg.Done()
	c, err := pool.Acquire(ctx)
	if err != nil {
		return
	}
	defer c.Release()
	if _, err := c.Exec(ctx, "LISTEN soak_listener_test"); err != nil {
		return
	}
	for ctx.Err() == nil {
		_, _ = c.Conn().WaitForNotification(ctx)
	}
}

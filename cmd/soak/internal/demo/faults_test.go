package demo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/probe"
)

func TestFaultConfigErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		faults []string
		err    error
		want   string
	}{
		{[]string{"mem-leak"}, ErrUnknownFault, `"mem-leak" in Config.Faults (known: conn-leak, goroutine-leak, heap-leak, pool-exhausted, rows-leak, slow-trending)`},
		{[]string{FaultHeapLeak, FaultHeapLeak}, nil, `"heap-leak" given twice`},
		{[]string{FaultConnLeak}, ErrFaultNeedsDatabase, `"conn-leak" needs PostgreSQL; set Config.DatabaseURL`},
		{[]string{FaultHeapLeak, FaultPoolExhausted}, ErrFaultNeedsDatabase, `"pool-exhausted" needs PostgreSQL`},
	} {
		s, err := New(ctx, Config{Faults: tc.faults})
		if err == nil {
			s.Close(ctx)
			t.Errorf("%v: no error", tc.faults)
			continue
		}
		if tc.err != nil && !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %v containing %q", tc.faults, err, tc.err, tc.want)
		}
	}
}

func TestFaultNames(t *testing.T) {
	names := FaultNames()
	if len(names) != 6 {
		t.Fatalf("%d faults", len(names))
	}
	for i, f := range names {
		if i > 0 && f.Name <= names[i-1].Name || f.Description == "" || strings.Contains(f.Description, "\n") {
			t.Errorf("fault %+v", f)
		}
	}
	names[0].Name = "changed"
	if FaultNames()[0].Name == "changed" {
		t.Error("FaultNames returns the catalogue itself")
	}
}

func snapshot(t *testing.T, s *Service) *probe.Snapshot {
	t.Helper()
	snap, err := s.Probe().Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// faultConfig is an in-memory Config with the fault planted when on, and
// no rate limit (the tests drive bursts from one address).
func faultConfig(on bool, fault string) Config {
	cfg := Config{RateLimitPerMinute: -1}
	if on {
		cfg.Faults = []string{fault}
	}
	return cfg
}

// TestGoroutineLeak: one goroutine per GoroutineLeakEvery trending
// requests, each parked in awaitTrendingRefresh; a clean service leaks none.
func TestGoroutineLeak(t *testing.T) {
	const requests = 20 * GoroutineLeakEvery
	for _, leak := range []bool{false, true} {
		t.Run(fmt.Sprint("leak=", leak), func(t *testing.T) {
			s, c := startService(t, faultConfig(leak, FaultGoroutineLeak))
			before := snapshot(t, s).Runtime.Goroutines
			for range requests {
				expect(t, c.do("GET", "/api/discovery/trending", nil), http.StatusOK)
			}
			want := int64(0)
			if leak {
				want = requests / GoroutineLeakEvery
			}
			if got := settledGoroutinesIn(t, "awaitTrendingRefresh", want); got != want {
				t.Errorf("%d goroutines in awaitTrendingRefresh, want %d", got, want)
			}
			after := snapshot(t, s).Runtime.Goroutines
			if leak && after-before < want {
				t.Errorf("probe goroutines %d -> %d, want a rise of at least %d", before, after, want)
			}
		})
	}
}

// TestHeapLeak: every story view retains HeapLeakBytes, allocated in
// rememberStoryView, and the live heap grows by at least that much.
func TestHeapLeak(t *testing.T) {
	const views = 600 // 4.7 MiB retained
	for _, leak := range []bool{false, true} {
		t.Run(fmt.Sprint("leak=", leak), func(t *testing.T) {
			s, c := startService(t, faultConfig(leak, FaultHeapLeak))
			expect(t, c.do("GET", "/api/stories/story-0001", nil), http.StatusOK)
			runtime.GC()
			before := snapshot(t, s).Runtime.LiveHeapBytes
			for i := range views {
				expect(t, c.do("GET", "/api/stories/"+StorySlug(1+i%50), nil), http.StatusOK)
			}
			want := 0
			if leak {
				want = (views + 1) * HeapLeakBytes
			}
			if got := s.api.faults.retainedBytes(); got != want {
				t.Errorf("retained %d bytes, want %d", got, want)
			}
			inuse := inuseBytesIn(t, "rememberStoryView")
			runtime.GC()
			after := snapshot(t, s).Runtime.LiveHeapBytes
			t.Logf("live heap %d -> %d bytes; heap profile: %d bytes in use from rememberStoryView", before, after, inuse)
			if !leak {
				if inuse != 0 {
					t.Errorf("clean service: %d bytes in use from rememberStoryView", inuse)
				}
				return
			}
			// The heap profile is sampled (every 4 KiB here, see TestMain).
			if inuse < int64(want)*8/10 {
				t.Errorf("heap profile: %d bytes in use from rememberStoryView, want about %d", inuse, want)
			}
			if after < before+uint64(want)*9/10 {
				t.Errorf("live heap %d -> %d, want a rise of at least %d", before, after, want*9/10)
			}
		})
	}
}

// TestConnLeak: 1 shelves request in ConnLeakEvery leaks a connection,
// until half the pool is held; the service keeps answering.
func TestConnLeak(t *testing.T) {
	cfg := sharedSeedConfig(t)
	cfg.Faults = []string{FaultConnLeak}
	cfg.PoolMaxConns = 6
	cfg.RateLimitPerMinute = -1
	s, c := startService(t, cfg)
	u := c.login("user0003")
	for range 2 * ConnLeakEvery {
		expect(t, u.do("GET", "/api/library/shelves", nil), http.StatusOK)
	}
	if got := s.api.pool.Stat().AcquiredConns(); got != 2 {
		t.Errorf("after %d requests: %d connections held, want 2", 2*ConnLeakEvery, got)
	}
	for range 3 * ConnLeakEvery {
		expect(t, u.do("GET", "/api/library/shelves", nil), http.StatusOK)
	}
	if got, leaked := s.api.pool.Stat().AcquiredConns(), s.api.faults.leakedConns(); got != 3 || leaked != 3 {
		t.Errorf("after %d requests: %d held, %d leaked; want the cap, 3", 5*ConnLeakEvery, got, leaked)
	}
}

// TestRowsLeak: one open rows per RowsLeakEvery shelves requests, each
// holding one connection, up to half the pool; the probe's registry counts
// one entry per connection, as pgxpool does.
func TestRowsLeak(t *testing.T) {
	cfg := sharedSeedConfig(t)
	cfg.Faults = []string{FaultRowsLeak}
	cfg.PoolMaxConns = 6
	cfg.RateLimitPerMinute = -1
	s, c := startService(t, cfg)
	u := c.login("user0003")
	for range 5 * RowsLeakEvery {
		expect(t, u.do("GET", "/api/library/shelves", nil), http.StatusOK)
	}
	got, leaked := s.api.pool.Stat().AcquiredConns(), s.api.faults.leakedRows()
	held := 0
	for _, g := range s.Probe().Leaks(0).Groups {
		if g.Kind == probe.LeakPGXConn || g.Kind == probe.LeakPGXQuery {
			held += g.Count
			if !strings.HasSuffix(g.Function, ".forgetShelvesRows") || g.SQL == "" {
				t.Errorf("group %s %q by %s", g.Kind, g.SQL, g.Function)
			}
		}
	}
	if got != 3 || leaked != 3 || held != 3 {
		t.Errorf("after %d requests: %d acquired, %d rows open, %d held in the registry; want the cap, 3", 5*RowsLeakEvery, got, leaked, held)
	}
}

// TestSlowTrending: under slow-trending every GET /api/discovery/trending
// takes at least SlowTrendingDelay (a lower bound: a loaded machine only
// makes it slower), and answers as usual.
func TestSlowTrending(t *testing.T) {
	_, c := startService(t, Config{Faults: []string{FaultSlowTrending}})
	for range 3 {
		start := time.Now()
		r := c.do(http.MethodGet, "/api/discovery/trending", nil)
		if took := time.Since(start); took < SlowTrendingDelay {
			t.Errorf("trending took %v under slow-trending, want at least %v", took, SlowTrendingDelay)
		}
		if r.Status != http.StatusOK {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
	}
}

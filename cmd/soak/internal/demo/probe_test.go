package demo

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soaklab/soak/probe"
)

// fakeClock is a settable clock for the rate limiter and tokens.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *fakeClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// TestRateLimit: one user gets 100 requests a minute, the 101st answers 429
// with Retry-After and a JSON body; other users, anonymous clients (by
// X-Forwarded-For from loopback) and health checks have their own budgets.
func TestRateLimit(t *testing.T) {
	clk := newFakeClock()
	s, anon := startService(t, Config{clock: clk.now})
	alice := anon.login("user0001")
	bob := anon.login("user0002")
	for i := range DefaultRateLimitPerMinute {
		expect(t, alice.do("GET", "/api/users/me", nil), http.StatusOK)
		if i == 0 {
			expect(t, bob.do("GET", "/api/users/me", nil), http.StatusOK)
		}
	}
	r := alice.do("GET", "/api/users/me", nil)
	expect(t, r, http.StatusTooManyRequests)
	if r.Header.Get("Retry-After") == "" || r.errorText(t) != "Rate limit exceeded" || !strings.Contains(string(r.Body), `"identity":"user"`) {
		t.Errorf("429: Retry-After %q, body %s", r.Header.Get("Retry-After"), r.Body)
	}
	expect(t, alice.do("GET", "/api/library/shelves", nil), http.StatusTooManyRequests) // per user, not per route
	expect(t, bob.do("GET", "/api/users/me", nil), http.StatusOK)
	for range 2 * DefaultRateLimitPerMinute {
		expect(t, alice.do("GET", "/health", nil), http.StatusOK)
	}
	clk.advance(time.Minute / DefaultRateLimitPerMinute) // one request's worth
	expect(t, alice.do("GET", "/api/users/me", nil), http.StatusOK)
	expect(t, alice.do("GET", "/api/users/me", nil), http.StatusTooManyRequests)

	// Anonymous clients: one budget per address. The two logins above
	// came from 127.0.0.1.
	far := *anon
	far.xff = "192.0.2.7"
	for range DefaultRateLimitPerMinute {
		expect(t, far.do("GET", "/api/discovery/trending", nil), http.StatusOK)
	}
	r = far.do("GET", "/api/discovery/trending", nil)
	expect(t, r, http.StatusTooManyRequests)
	if !strings.Contains(string(r.Body), `"identity":"ip"`) {
		t.Errorf("anonymous 429 body %s", r.Body)
	}
	expect(t, anon.do("GET", "/api/discovery/trending", nil), http.StatusOK)

	snap := snapshot(t, s)
	me, _ := snap.HTTP.Route("GET", "/api/users/me")
	tr, _ := snap.HTTP.Route("GET", "/api/discovery/trending")
	if me.Status429 != 2 || me.RateLimitedUser != 2 || tr.Status429 != 1 || tr.RateLimitedIP != 1 {
		t.Errorf("probe: me 429=%d user=%d; trending 429=%d ip=%d", me.Status429, me.RateLimitedUser, tr.Status429, tr.RateLimitedIP)
	}
	if got := snap.Config[probe.ConfigRateLimit]; got != "100 req/min per user (else per ip), burst 100" {
		t.Errorf("probe config %s = %q", probe.ConfigRateLimit, got)
	}

	_, open := startService(t, Config{RateLimitPerMinute: -1})
	for range 2 * DefaultRateLimitPerMinute {
		expect(t, open.do("GET", "/api/discovery/trending", nil), http.StatusOK)
	}
}

// TestProbeWiring: the probe sees each route by template, the pool and
// its statements, Redis hits and misses exactly, both caches, and the
// configuration a report needs.
func TestProbeWiring(t *testing.T) {
	cfg := pgConfig(t, true)
	s, c := startService(t, cfg)
	u := c.login("user0004")
	for range 2 {
		expect(t, c.do("GET", "/api/discovery/trending", nil), http.StatusOK) // Redis: miss, then hit
	}
	expect(t, c.do("GET", "/api/stories/story-0010", nil), http.StatusOK) // LRU miss, Redis miss
	expect(t, c.do("GET", "/api/stories/story-0010", nil), http.StatusOK) // LRU hit
	expect(t, c.do("GET", "/api/stories/story-9999", nil), http.StatusNotFound)
	expect(t, u.do("GET", "/api/library/shelves", nil), http.StatusOK)

	snap := snapshot(t, s)
	story, ok := snap.HTTP.Route("GET", "/api/stories/:slug")
	if !ok || story.Requests != 3 || story.Status2xx != 2 || story.Status4xx != 1 || story.Latency.Count != 3 {
		t.Errorf("route /api/stories/:slug: %+v", story)
	}
	if len(snap.Redis) != 1 || snap.Redis[0].CacheHits != 1 || snap.Redis[0].CacheMisses != 3 {
		t.Errorf("redis: %+v", snap.Redis)
	}
	pages, _ := snap.Cache(pageCacheName)
	if pages.Hits != 1 || pages.Misses != 2 || pages.Entries != 1 || pages.CapacityEntries != DefaultPageCacheSize {
		t.Errorf("page cache: %+v", pages)
	}
	if len(snap.Pools) != 1 || snap.Pools[0].Name != "main" || snap.Pools[0].MaxConns != DefaultPoolMaxConns ||
		snap.Pools[0].AcquireCount == 0 || len(snap.Pools[0].Statements) == 0 {
		t.Fatalf("pools: %+v", snap.Pools)
	}
	var sawShelves bool
	for _, st := range snap.Pools[0].Statements {
		sawShelves = sawShelves || strings.Contains(st.SQL, "FROM shelves sh")
	}
	if !sawShelves {
		t.Errorf("no shelves statement in %+v", snap.Pools[0].Statements)
	}
	for key, want := range map[string]string{
		probe.ConfigRequestTimeout: "30s",
		probe.ConfigDBPoolMax:      "16",
		probe.ConfigDatabase:       "postgres (pgxpool)",
		ConfigFaults:               "none",
	} {
		if got := snap.Config[key]; got != want {
			t.Errorf("config %s = %q, want %q", key, got, want)
		}
	}
	for _, key := range []string{probe.ConfigCacheSize, probe.ConfigWorkers, probe.ConfigRateLimit} {
		if snap.Config[key] == "" {
			t.Errorf("config %s not set", key)
		}
	}
	if err := s.Probe().Find(probe.MaxWait(time.Second)); err != nil {
		t.Errorf("clean service holds: %v", err)
	}

	// A second service on the same schema starts with an empty LRU: its
	// first view of the page is a Redis hit.
	s2, c2 := startService(t, Config{DatabaseURL: cfg.DatabaseURL, RedisURL: cfg.RedisURL, Schema: cfg.Schema})
	expect(t, c2.do("GET", "/api/stories/story-0010", nil), http.StatusOK)
	if snap := snapshot(t, s2); snap.Redis[0].CacheHits != 1 || snap.Redis[0].CacheMisses != 0 {
		t.Errorf("second service: redis %+v", snap.Redis[0])
	}
}

// TestConnLeakInProbe: the probe's registry holds the leaked connection,
// names leakShelvesConnection as the acquiring function and the route of
// the request; a clean service holds nothing.
func TestConnLeakInProbe(t *testing.T) {
	cfg := sharedSeedConfig(t)
	cfg.Faults = []string{FaultConnLeak}
	cfg.RateLimitPerMinute = -1
	s, c := startService(t, cfg)
	u := c.login("user0005")
	for range 2 * ConnLeakEvery {
		expect(t, u.do("GET", "/api/library/shelves", nil), http.StatusOK)
	}
	snap := snapshot(t, s)
	if p := snap.Pools[0]; p.HeldConns != 2 || p.AcquiredConns != 2 {
		t.Errorf("pool: held %d, acquired %d; want 2", p.HeldConns, p.AcquiredConns)
	}
	var group *probe.LeakGroup
	for i, g := range s.Probe().Leaks(0).Groups {
		if g.Kind == probe.LeakPGXConn {
			group = &s.Probe().Leaks(0).Groups[i]
		}
	}
	if group == nil || group.Count != 2 || !strings.HasSuffix(group.Function, ".leakShelvesConnection") ||
		len(group.Routes) != 1 || group.Routes[0].Route != "/api/library/shelves" || group.Routes[0].Count != 2 {
		t.Fatalf("leak group: %+v", group)
	}
	err := s.Probe().Find(probe.MaxWait(100 * time.Millisecond))
	if err == nil || !strings.Contains(err.Error(), "leakShelvesConnection") {
		t.Errorf("Find: %v", err)
	}
}

// TestPoolExhaustedInProbe: concurrent searches under pool-exhausted
// make acquires wait, visible in the snapshot; once they finish nothing is
// held: exhaustion, not a leak. A clean pool, larger than the burst, never
// waits for a connection another request holds: an acquire of it waits
// only while the pool dials a new connection, which a busy machine may
// make it do at any burst (when the second burst overlaps more than the
// first), so its empty acquires are bounded by the connections it opened.
func TestPoolExhaustedInProbe(t *testing.T) {
	for _, fault := range []bool{false, true} {
		cfg := sharedSeedConfig(t)
		if fault {
			cfg.Faults = []string{FaultPoolExhausted}
		}
		s, c := startService(t, cfg)
		burst := func() probe.PoolSnapshot {
			var wg sync.WaitGroup
			for range 3 * ExhaustedPoolMaxConns {
				wg.Go(func() {
					if r := c.do("GET", "/api/search/stories?q=harbor", nil); r.Status != http.StatusOK {
						t.Errorf("search: %d %s", r.Status, r.Body)
					}
				})
			}
			wg.Wait()
			return snapshot(t, s).Pools[0]
		}
		// The first burst also opens the connections (an acquire that
		// dials waits too); the second one shows waits for connections
		// held by others.
		before := burst()
		p := burst()
		empty, waited := p.EmptyAcquireCount-before.EmptyAcquireCount, p.EmptyAcquireWaitSeconds-before.EmptyAcquireWaitSeconds
		t.Logf("fault=%v: max %d, second burst: %d empty acquires, waited %.2fs", fault, p.MaxConns, empty, waited)
		if fault && (p.MaxConns != ExhaustedPoolMaxConns || empty < ExhaustedPoolMaxConns || waited < SearchHold.Seconds()) {
			t.Errorf("no exhaustion: %+v", p)
		}
		if opened := int64(p.TotalConns - before.TotalConns); !fault && p.MaxConns > 3*ExhaustedPoolMaxConns && empty > opened {
			t.Errorf("clean pool of %d: %d empty acquires for %d connections opened (waited %.2fs): a wait for a held connection",
				p.MaxConns, empty, opened, waited)
		}
		if p.AcquiredConns != 0 || p.HeldConns != 0 {
			t.Errorf("held after the load: %+v", p)
		}
		if err := s.Probe().Find(probe.MaxWait(time.Second)); err != nil {
			t.Errorf("exhaustion reported as a leak: %v", err)
		}
	}
}

package probe_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/soaklab/soak/probe"
)

func ExampleHTTPStats_Route() {
	p := probe.New()
	r := p.HTTP().Route("GET", "/api/stories/:slug")
	r.Start()
	r.Done(200, 3*time.Millisecond, 0, 512)
	r.Start()
	r.Done(429, 40*time.Microsecond, 0, 64)
	r.RateLimited(probe.IdentityUser)

	snap, _ := p.Snapshot(context.Background())
	s, _ := snap.HTTP.Route("GET", "/api/stories/:slug")
	fmt.Println(s.Requests, s.Status2xx, s.Status429, s.RateLimitedUser, s.Latency.Quantile(0.99))
	// Output: 2 1 1 1 3ms
}

func ExampleProbe_Cache() {
	p := probe.New()
	pages := p.Cache("story-pages")
	pages.SetCapacity(2000)
	pages.Hit()
	pages.Hit()
	pages.Hit()
	pages.Miss()

	snap, _ := p.Snapshot(context.Background())
	c, _ := snap.Cache("story-pages")
	fmt.Printf("%s hit ratio %.2f\n", c.Kind, c.HitRatio)
	// Output: in-process hit ratio 0.75
}

func ExampleProbe_SetConfig() {
	p := probe.New()
	p.SetConfig(probe.ConfigRateLimit, "100 req/min per user")
	p.SetConfig(probe.ConfigRequestTimeout, "30s")
	p.SetConfig("database_url", "postgres://app:hunter2@db/app")
	fmt.Println(p.Config()[probe.ConfigRateLimit], p.Config()["database_url"])
	// Output: 100 req/min per user postgres://app:REDACTED@db/app
}

func ExampleHistogram_Sub() {
	p := probe.New()
	r := p.HTTP().Route("GET", "/health")
	r.Record(200, time.Millisecond, 0, 2)
	first, _ := p.Snapshot(context.Background())
	r.Record(200, 40*time.Millisecond, 0, 2)
	r.Record(200, 40*time.Millisecond, 0, 2)
	second, _ := p.Snapshot(context.Background())

	a, _ := first.HTTP.Route("GET", "/health")
	b, _ := second.HTTP.Route("GET", "/health")
	interval := b.Latency.Sub(a.Latency) // counters are cumulative: difference them
	fmt.Println(second.Seq-first.Seq, interval.Count, interval.Quantile(0.5))
	// Output: 1 2 40ms
}

// A service without a database says so, and reports then read "the
// service has no database (data in memory)" instead of asking for
// probe/pgxprobe to be wired.
func ExampleProbe_Without() {
	p := probe.New()
	err := p.Without(probe.Database, "data in memory")
	if err != nil {
		panic(err)
	}

	snap, _ := p.Snapshot(context.Background())
	for _, c := range []probe.Component{probe.Database, probe.Redis} {
		why, absent := snap.Absent(c)
		fmt.Printf("%s: absent %v %q\n", c, absent, why)
	}
	fmt.Println(snap.Config[probe.ConfigDatabase]) // the same, as text
	// Output:
	// database: absent true "data in memory"
	// redis: absent false ""
	// none: data in memory
}

// A service whose own limiter (here a fixed window per API key, in front
// of the handlers) is not soak's middleware declares its policy, so that a
// report can tell the 429s it predicts from the ones it does not.
func ExampleProbe_DeclareRateLimit() {
	p := probe.New()
	err := p.DeclareRateLimit("gateway", probe.RateLimitPolicy{
		Limit:     1000,
		Period:    time.Hour,
		Algorithm: probe.FixedWindow,
		Key:       "api-key",
		Shared:    true, // every copy of a client app sends the same key
	})
	if err != nil {
		panic(err)
	}
	snap, _ := p.Snapshot(context.Background())
	for _, rl := range snap.RateLimits {
		fmt.Println(rl.Name, rl.Policy.Limit, rl.Policy.Period, rl.Policy.Algorithm, rl.Policy.Key, rl.Policy.Shared)
	}
	fmt.Println(snap.Config[probe.ConfigRateLimit])
	// Output:
	// gateway 1000 1h0m0s fixed-window api-key true
	// 1000 req/h per api-key (fixed window)
}

// lru stands for a cache of the service that the probe does not wrap.
type lru struct {
	mu    sync.Mutex
	items map[string][]byte
	bytes int64
	max   int
}

func ExampleProbe_CacheFunc() {
	p := probe.New()
	pages := &lru{items: map[string][]byte{"a": make([]byte, 300), "b": make([]byte, 500)}, bytes: 800, max: 5000}
	// Declared once at start-up; read at each snapshot.
	p.CacheFunc("story-pages", func() probe.CacheSnapshot {
		pages.mu.Lock()
		defer pages.mu.Unlock()
		return probe.CacheSnapshot{Entries: int64(len(pages.items)), CapacityEntries: int64(pages.max), UsedBytes: pages.bytes}
	})

	snap, _ := p.Snapshot(context.Background())
	c, _ := snap.Cache("story-pages")
	fmt.Printf("%d of %d entries, %d bytes\n", c.Entries, c.CapacityEntries, c.UsedBytes)
	// Output: 2 of 5000 entries, 800 bytes
}

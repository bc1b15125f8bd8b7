package probe_test

import (
	"context"
	"fmt"
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
	// Output: 100 req/min per user postgres://app:[redacted]@db/app
}

package promexport_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/promexport"
)

func TestCollector(t *testing.T) {
	p := probe.New(probe.WithToken("tok-0123456789abcdef"))
	r := p.HTTP().Route("GET", "/api/stories/:slug")
	for i := 0; i < 10; i++ {
		r.Start()
		r.Done(200, time.Duration(i+1)*time.Millisecond, 0, 100)
	}
	r.Start()
	r.Done(429, time.Millisecond, 0, 10)
	r.RateLimited(probe.IdentityUser)
	c := p.Cache("pages")
	c.Hit()
	c.Miss()
	p.SetConfig(probe.ConfigRequestTimeout, "30s")
	if err := p.DeclareRateLimit("api", probe.RateLimitPolicy{Limit: 100, Period: time.Minute, Algorithm: probe.GCRA, Key: probe.IdentityUser}); err != nil {
		t.Fatal(err)
	}
	if err := p.Without(probe.Redis, "pages cached in process"); err != nil {
		t.Fatal(err)
	}

	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(promexport.NewCollector(p))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range problems {
		t.Errorf("lint: %s: %s", pr.Metric, pr.Text)
	}

	if err := p.Handle("/metrics", promexport.Handler(p)); err != nil {
		t.Fatal(err)
	}
	srv, err := p.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	get := func(token string) (int, string) {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL()+"/metrics", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get(""); code != http.StatusUnauthorized {
		t.Errorf("metrics without the token: %d", code)
	}
	code, body := get("tok-0123456789abcdef")
	if code != 200 {
		t.Fatalf("metrics: %d %s", code, body)
	}
	for _, want := range []string{
		`soak_probe_http_requests_total{code="2xx",method="GET",route="/api/stories/:slug"} 10`,
		`soak_probe_http_requests_total{code="4xx",method="GET",route="/api/stories/:slug"} 1`,
		`soak_probe_http_rate_limited_total{identity="user",method="GET",route="/api/stories/:slug"} 1`,
		`soak_probe_http_request_duration_seconds_bucket{method="GET",route="/api/stories/:slug",le="0.005"} 6`,
		`soak_probe_http_request_duration_seconds_count{method="GET",route="/api/stories/:slug"} 11`,
		`soak_probe_cache_hits_total{cache="pages",kind="in-process"} 1`,
		`soak_probe_config_info{key="rate_limit",value="100 req/min per user, burst 100"} 1`,
		`soak_probe_config_info{key="request_timeout",value="30s"} 1`,
		`soak_probe_rate_limit_requests{algorithm="gcra",key="user",limiter="api"} 100`,
		`soak_probe_rate_limit_period_seconds{algorithm="gcra",key="user",limiter="api"} 60`,
		`soak_probe_rate_limit_burst_requests{algorithm="gcra",key="user",limiter="api"} 100`,
		`soak_probe_component_absent{component="redis",why="pages cached in process"} 1`,
		`soak_probe_go_heap_live_bytes `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %q", want)
		}
	}
	if strings.Contains(body, "tok\"") {
		t.Error("the token appears in the metrics")
	}
}

func TestHandleRefuses(t *testing.T) {
	p := probe.New()
	for _, path := range []string{"", "metrics", "/", "/snapshot", "/debug/pprof/heap"} {
		if err := p.Handle(path, promexport.Handler(p)); err == nil {
			t.Errorf("Handle(%q) accepted", path)
		}
	}
}

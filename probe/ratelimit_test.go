package probe_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/probe"
)

func TestRateLimitPolicyValidate(t *testing.T) {
	ok := probe.RateLimitPolicy{Limit: 100, Period: time.Minute, Algorithm: probe.GCRA}
	for _, tc := range []struct {
		name string
		edit func(*probe.RateLimitPolicy)
		want string // "" for valid
	}{
		{"valid", func(*probe.RateLimitPolicy) {}, ""},
		{"no algorithm stated", func(p *probe.RateLimitPolicy) { p.Algorithm = "" }, ""},
		{"fixed window", func(p *probe.RateLimitPolicy) { p.Algorithm, p.Burst = probe.FixedWindow, 100 }, ""},
		{"keys", func(p *probe.RateLimitPolicy) { p.Key, p.Fallback, p.Shared = "api-key", []string{"ip"}, true }, ""},
		{"no limit", func(p *probe.RateLimitPolicy) { p.Limit = 0 }, "Limit must be > 0, got 0"},
		{"short period", func(p *probe.RateLimitPolicy) { p.Period = time.Microsecond }, "Period must be >= 1ms, got 1µs"},
		{"negative burst", func(p *probe.RateLimitPolicy) { p.Burst = -1 }, "Burst must be 0 (= Limit) to 1000000, got -1"},
		{"too fast", func(p *probe.RateLimitPolicy) { p.Limit, p.Period = 2_000_000, time.Millisecond }, "more than one request per nanosecond"},
		{"window burst", func(p *probe.RateLimitPolicy) { p.Algorithm, p.Burst = probe.SlidingWindow, 5 }, "Burst 5: a sliding-window admits Limit (100)"},
		{"unknown algorithm", func(p *probe.RateLimitPolicy) { p.Algorithm = "leaky" }, `Algorithm "leaky"`},
		{"fallback without key", func(p *probe.RateLimitPolicy) { p.Fallback = []string{"ip"} }, "Fallback and Shared need a Key"},
		{"shared without key", func(p *probe.RateLimitPolicy) { p.Shared = true }, "Fallback and Shared need a Key"},
		{"bad key", func(p *probe.RateLimitPolicy) { p.Key = "user id" }, `Key "user id"`},
		{"long key", func(p *probe.RateLimitPolicy) { p.Key = strings.Repeat("k", 33) }, "Key"},
		{"bad fallback", func(p *probe.RateLimitPolicy) { p.Key, p.Fallback = "user", []string{"ip", ""} }, `Fallback[1] ""`},
	} {
		p := ok
		tc.edit(&p)
		err := p.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (!errors.Is(err, probe.ErrInvalidRateLimit) || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}

func TestRateLimitPolicyString(t *testing.T) {
	for _, tc := range []struct {
		p    probe.RateLimitPolicy
		want string
	}{
		{probe.RateLimitPolicy{Limit: 100, Period: time.Minute}, "100 req/min, burst 100"},
		{probe.RateLimitPolicy{Limit: 100, Period: time.Minute, Algorithm: probe.GCRA}.WithKeys("user", "ip"), "100 req/min per user (else per ip), burst 100"},
		{probe.RateLimitPolicy{Limit: 10, Period: time.Second, Burst: 50, Algorithm: probe.TokenBucket, Key: "tenant"}, "10 req/s per tenant, burst 50 (token bucket)"},
		{probe.RateLimitPolicy{Limit: 1000, Period: time.Hour, Algorithm: probe.FixedWindow, Key: "api-key"}, "1000 req/h per api-key (fixed window)"},
		{probe.RateLimitPolicy{Limit: 5, Period: 90 * time.Second, Algorithm: probe.SlidingWindow}, "5 req/1m30s (sliding window)"},
		{probe.RateLimitPolicy{Limit: 1, Period: 24 * time.Hour}.WithKeys("header", "user", "header", "ip"), "1 req/day per header (else per user, else per ip), burst 1"},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestRateLimitPolicyWithKeys(t *testing.T) {
	p := probe.RateLimitPolicy{Limit: 1, Period: time.Second}
	if got := p.WithKeys("user", "ip", "user"); got.Key != "user" || !reflect.DeepEqual(got.Fallback, []string{"ip"}) || got.Shared {
		t.Errorf("per user: %+v", got)
	}
	if got := p.WithKeys("ip"); got.Key != "ip" || got.Fallback != nil || !got.Shared {
		t.Errorf("per ip: %+v: one address stands for every user behind it", got)
	}
	if got := p.WithKeys("user").WithKeys(); got.Key != "" || got.Fallback != nil || got.Shared {
		t.Errorf("no keys: %+v", got)
	}
}

func TestDeclareRateLimit(t *testing.T) {
	p := probe.New()
	api := probe.RateLimitPolicy{Limit: 1000, Period: time.Hour, Algorithm: probe.FixedWindow, Key: "api-key", Shared: true}
	if err := p.DeclareRateLimit("gateway", api); err != nil {
		t.Fatal(err)
	}
	if got := p.Config()[probe.ConfigRateLimit]; got != "1000 req/h per api-key (fixed window)" {
		t.Errorf("one policy as text: %q", got)
	}
	users := probe.RateLimitPolicy{Limit: 100, Period: time.Minute, Algorithm: probe.GCRA}.WithKeys("user", "ip")
	if err := p.DeclareRateLimit("default", users); err != nil {
		t.Fatal(err)
	}
	if got := p.Config()[probe.ConfigRateLimit]; got != "default: 100 req/min per user (else per ip), burst 100; gateway: 1000 req/h per api-key (fixed window)" {
		t.Errorf("two policies as text: %q", got)
	}

	// Over HTTP, the typed policies come back as declared, Burst filled.
	snap := overHTTP(t, p)
	api.Burst, users.Burst = 1000, 100
	want := []probe.RateLimitDeclaration{{Name: "default", Policy: users}, {Name: "gateway", Policy: api}}
	if !reflect.DeepEqual(snap.RateLimits, want) {
		t.Errorf("rate limits over HTTP:\n%+v\nwant\n%+v", snap.RateLimits, want)
	}
	raw, _ := json.Marshal(snap.RateLimits[1])
	if string(raw) != `{"name":"gateway","policy":{"limit":1000,"period_ns":3600000000000,"burst":1000,"algorithm":"fixed-window","key":"api-key","shared":true}}` {
		t.Errorf("JSON %s", raw)
	}

	for _, tc := range []struct {
		name string
		pol  probe.RateLimitPolicy
		want string
	}{
		{"", users, `DeclareRateLimit(""): the name must be 1 to 64 bytes`},
		{"x", probe.RateLimitPolicy{Limit: 1, Period: time.Second}, `DeclareRateLimit("x"): Algorithm`},
		{"x", probe.RateLimitPolicy{Period: time.Second, Algorithm: probe.GCRA}, `DeclareRateLimit("x"): probe: invalid rate-limit policy: Limit`},
	} {
		if err := p.DeclareRateLimit(tc.name, tc.pol); !errors.Is(err, probe.ErrInvalidRateLimit) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DeclareRateLimit(%q): %v, want %q", tc.name, err, tc.want)
		}
	}
	for i := range 14 {
		if err := p.DeclareRateLimit(fmt.Sprint("l", i), users); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.DeclareRateLimit("one-too-many", users); err == nil || !strings.Contains(err.Error(), "at most 16 limiters") {
		t.Errorf("the 17th limiter: %v", err)
	}
	if err := p.DeclareRateLimit("gateway", users); err != nil {
		t.Errorf("replacing a declared limiter when full: %v", err)
	}
}

package echoprobe

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/soaklab/soak/middleware"
	"github.com/soaklab/soak/middleware/internal/mwtest"
	"github.com/soaklab/soak/probe"
)

// fakeAuth is the demo's kind of auth middleware: it stores the user id
// for "Authorization: Bearer <user>" under "user_id".
func fakeAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if u, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer "); ok {
			c.Set("user_id", u)
		}
		return next(c)
	}
}

// demoEcho wires echo as the demo service does: metrics, auth, then the
// per-user limiter with the client IP as fallback.
type demo struct {
	p   *probe.Probe
	clk *mwtest.FakeClock
	rl  *RateLimiter
	srv *httptest.Server
}

func demoEcho(t *testing.T, policy middleware.Policy, maxIDs int) demo {
	t.Helper()
	p, clk := probe.New(), &mwtest.FakeClock{}
	rl, err := NewRateLimiter(RateLimitConfig{
		Probe:         p,
		Policy:        policy,
		Identity:      []Identifier{User("user_id")},
		MaxIdentities: maxIDs,
		Now:           clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	e := newEcho()
	e.Use(Middleware(p), fakeAuth, rl.Middleware())
	e.GET("/api/users/me", func(c echo.Context) error { return c.JSON(200, map[string]any{"id": c.Get("user_id")}) })
	return demo{p, clk, rl, mwtest.Serve(t, e)}
}

func bearer(user string) http.Header { return http.Header{"Authorization": {"Bearer " + user}} }

// One user sends 150 requests a minute for ten minutes against 100/min
// (burst 100): request k, at k × 400 ms, is allowed while
// allowed-so-far + 1 <= 100 + k×400/600, so the first denial is k = 298
// and 401 of 1500 are denied. Every response, the 429 count in the probe,
// and the first denial's fields are checked; allowed responses carry the
// RateLimit fields only once at most half the burst is left (the default
// HeadersNearLimit).
func TestRateLimitDrivenPastLimit(t *testing.T) {
	d := demoEcho(t, middleware.PerMinute(100), 0)
	p, clk, srv := d.p, d.clk, d.srv
	allowed, denied, withFields := 0, 0, 0
	var first *mwtest.Result
	for k := range 1500 {
		clk.Set(time.Duration(k) * 400 * time.Millisecond)
		res := mwtest.Do(t, srv, "GET", "/api/users/me", bearer("user0001"), nil)
		want := (allowed+1)*600 <= 100*600+k*400
		if got := res.Status == 200; got != want || (res.Status != 200 && res.Status != 429) {
			t.Fatalf("request %d: status %d, want allowed=%v", k, res.Status, want)
		}
		if res.Status == 200 {
			if rem := res.Header.Get("RateLimit-Remaining"); rem != "" {
				if n, err := strconv.Atoi(rem); err != nil || n > 50 || res.Header.Get("RateLimit-Limit") != "100" {
					t.Fatalf("request %d: RateLimit-Remaining %q, Limit %q: want at most 50 of 100", k, rem, res.Header.Get("RateLimit-Limit"))
				}
				withFields++
			} else if len(res.Header.Values("RateLimit-Limit")) != 0 || k > 150 {
				// From request 150 on, the user is always past half its burst.
				t.Fatalf("request %d: fields %v", k, res.Header)
			}
			allowed++
			continue
		}
		denied++
		if first == nil {
			if k != 298 {
				t.Fatalf("first denial at request %d, want 298", k)
			}
			first = &res
		}
	}
	if allowed != 1099 || denied != 401 {
		t.Fatalf("allowed %d, denied %d; want 1099 and 401", allowed, denied)
	}
	if withFields == 0 || withFields == allowed {
		t.Fatalf("%d of %d allowed responses carry the fields, want only those past half the burst", withFields, allowed)
	}

	// At the first denial (t = 119.2 s) the next slot is at 298 × 600 ms =
	// 178.8 s: the request would pass at 178.8 + 0.6 - 60 = 119.4 s, so
	// Retry-After is 0.2 s rounded up to 1, and the burst is back in full
	// 59.6 s later (Reset 60).
	wantHeader := map[string]string{
		"Retry-After": "1", "RateLimit-Limit": "100", "RateLimit-Remaining": "0",
		"RateLimit-Reset": "60", "RateLimit-Policy": "100;w=60", "Content-Type": "application/json",
	}
	for k, v := range wantHeader {
		if got := first.Header.Get(k); got != v {
			t.Errorf("429 header %s: %q, want %q", k, got, v)
		}
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(first.Body), &body); err != nil {
		t.Fatalf("429 body %q: %v", first.Body, err)
	}
	if body["error"] != "Rate limit exceeded" || body["identity"] != "user" || body["retry_after_seconds"] != 1.0 ||
		body["policy"] != "100 req/min, burst 100" || strings.Contains(first.Body, "user0001") {
		t.Errorf("429 body %s", first.Body)
	}

	r := mwtest.RouteSnap(t, p, "GET", "/api/users/me")
	if r.Status429 != 401 || r.RateLimitedUser != 401 || r.RateLimitedIP != 0 || r.Status2xx != 1099 {
		t.Fatalf("probe recorded %+v", r)
	}
	if got := p.Config()[probe.ConfigRateLimit]; got != "100 req/min per user (else per ip), burst 100" {
		t.Fatalf("probe config %q", got)
	}
	snap, err := p.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []probe.RateLimitDeclaration{{Name: "default", Policy: probe.RateLimitPolicy{
		Limit: 100, Period: time.Minute, Burst: 100, Algorithm: probe.GCRA, Key: "user", Fallback: []string{"ip"}}}}
	if !reflect.DeepEqual(snap.RateLimits, want) {
		t.Fatalf("snapshot rate limits %+v, want %+v", snap.RateLimits, want)
	}
}

// Requests without a user fall back to the client IP, counted as "ip";
// users have their own allowance, separate from the IP's.
func TestRateLimitFallbackToIP(t *testing.T) {
	d := demoEcho(t, middleware.PerMinute(3), 0)
	p, srv := d.p, d.srv
	count := func(hdr http.Header, n int) (denied int) {
		for range n {
			if mwtest.Do(t, srv, "GET", "/api/users/me", hdr, nil).Status == 429 {
				denied++
			}
		}
		return denied
	}
	if d := count(nil, 5); d != 2 {
		t.Fatalf("anonymous: %d denied, want 2", d)
	}
	if d := count(bearer("alice"), 4); d != 1 {
		t.Fatalf("alice: %d denied, want 1", d)
	}
	if d := count(bearer(strings.Repeat("x", middleware.MaxIdentityLen+1)), 1); d != 1 {
		t.Fatalf("an oversized user id must fall back to the (exhausted) IP allowance: %d denied", d)
	}
	r := mwtest.RouteSnap(t, p, "GET", "/api/users/me")
	if r.RateLimitedIP != 3 || r.RateLimitedUser != 1 || r.Status429 != 4 {
		t.Fatalf("recorded %+v", r)
	}
}

// Thousands of simulated users do not grow the table beyond its cap, and
// idle users expire.
func TestRateLimitTableCapAndExpiry(t *testing.T) {
	d := demoEcho(t, middleware.PerMinute(100), 50)
	clk, rl, srv := d.clk, d.rl, d.srv
	for i := range 300 {
		if res := mwtest.Do(t, srv, "GET", "/api/users/me", bearer(fmt.Sprintf("user%04d", i)), nil); res.Status != 200 {
			t.Fatalf("user %d: %d", i, res.Status)
		}
	}
	if s := rl.Stats(); s.Identities != 50 || s.Evicted != 250 {
		t.Fatalf("after 300 users: %+v, want 50 kept, 250 evicted", s)
	}
	clk.Advance(time.Minute) // every user has its full burst back
	mwtest.Do(t, srv, "GET", "/api/users/me", bearer("late"), nil)
	if s := rl.Stats(); s.Identities != 1 || s.Expired != 50 {
		t.Fatalf("a minute later: %+v, want only the new user", s)
	}
}

// Many users at once, with the clock standing still: each gets exactly its
// burst, and the probe counts every denial.
func TestRateLimitConcurrentUsers(t *testing.T) {
	d := demoEcho(t, middleware.Policy{Limit: 10, Period: time.Minute}, 0)
	const users, each = 20, 30
	var wg sync.WaitGroup
	var allowed [users]int
	for u := range users {
		wg.Go(func() {
			for range each {
				if mwtest.GoDo(t, d.srv, "GET", "/api/users/me", bearer(fmt.Sprint("user", u))).Status == 200 {
					allowed[u]++
				}
			}
		})
	}
	wg.Wait()
	for u, n := range allowed {
		if n != 10 {
			t.Errorf("user %d: %d allowed, want 10", u, n)
		}
	}
	r := mwtest.RouteSnap(t, d.p, "GET", "/api/users/me")
	if r.RateLimitedUser != users*(each-10) || r.Status429 != users*(each-10) || r.Status2xx != users*10 {
		t.Fatalf("recorded %+v", r)
	}
}

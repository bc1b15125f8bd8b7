package middleware_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime/pprof"
	"time"

	"github.com/soaklab/soak/middleware"
	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/label"
)

// The wiring of a net/http service: the middleware wraps the ServeMux, and
// records under the mux's patterns. docs/middleware.md quotes this function.
func ExampleHTTP() {
	p := probe.New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/stories/{slug}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"slug":%q}`, r.PathValue("slug"))
	})
	limiter, err := middleware.NewRateLimiter(middleware.RateLimitConfig{
		Probe:  p,
		Policy: middleware.PerMinute(100), // per client IP
	})
	if err != nil {
		panic(err)
	}
	handler := middleware.HTTP(p)(limiter.Handler(mux))
	// http.ListenAndServe("127.0.0.1:8000", handler)

	handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/stories/dragon-tale", nil))
	snap, _ := p.Snapshot(context.Background())
	r, _ := snap.HTTP.Route("GET", "GET /api/stories/{slug}")
	fmt.Println(r.Route, r.Requests, r.BytesOut)
	// Output: GET /api/stories/{slug} 1 22
}

func ExampleLimiter_Allow() {
	now := time.Date(2026, 2, 18, 12, 0, 0, 0, time.UTC)
	l, err := middleware.NewLimiter(middleware.LimiterConfig{
		Policy: middleware.PerMinute(100),
		Now:    func() time.Time { return now },
	})
	if err != nil {
		panic(err)
	}
	user := middleware.Identity{Kind: middleware.KindUser, Key: "user0001"}
	for range 100 {
		l.Allow(user)
	}
	fmt.Printf("%+v\n", l.Allow(user))
	now = now.Add(600 * time.Millisecond)
	fmt.Printf("%+v\n", l.Allow(user))
	// Output:
	// {Allowed:false Limit:100 Remaining:0 RetryAfter:600ms Reset:1m0s}
	// {Allowed:true Limit:100 Remaining:0 RetryAfter:0s Reset:1m0s}
}

func ExamplePolicy_String() {
	fmt.Println(middleware.PerMinute(100))
	fmt.Println(middleware.Policy{Limit: 10, Period: time.Second, Burst: 50})
	// Output:
	// 100 req/min, burst 100
	// 10 req/s, burst 50
}

// An identifier of the service's own: the tenant an earlier middleware
// stored in the request context. The limiter declares its policy per
// tenant, shared by the tenant's users.
func ExampleIdentityKey() {
	type tenantKey struct{}
	tenant := middleware.Identifier{
		Kind: "tenant",
		HTTP: func(r *http.Request) (string, bool) { return middleware.IdentityKey(r.Context().Value(tenantKey{})) },
	}
	limiter, err := middleware.NewRateLimiter(middleware.RateLimitConfig{
		Policy:   middleware.PerMinute(100),
		Identity: []middleware.Identifier{tenant},
	})
	if err != nil {
		panic(err)
	}
	pol := limiter.Policy()
	fmt.Println(limiter.Describe())
	fmt.Println(pol.Key, pol.Fallback, pol.Shared, pol.Algorithm)
	// Output:
	// 100 req/min per tenant (else per ip), burst 100
	// tenant [ip] true gcra
}

// The middleware of another framework labels a request with a Labeler:
// Parse its labels, Begin before its handler, End after it (deferred, so
// that a panic restores the goroutine's labels too).
func ExampleLabeler() {
	labeler := middleware.NewLabeler() // one per middleware instance
	handler := func(r *http.Request) {
		info := label.FromContext(r.Context())
		route, _ := pprof.Label(r.Context(), middleware.PprofRoute)
		fmt.Println(info.Class, info.User, route)
	}
	r := httptest.NewRequest("GET", "/api/stories/dragon-tale", nil)
	r.Header.Set(label.Header, "class=AuthenticatedUser;user=17")
	if labels := labeler.Parse(r.Header); middleware.LabelSoak.Wants(labels.Set) {
		func() {
			lr := labeler.Begin(r, labels, "GET", "/api/stories/{slug}")
			defer labeler.End(lr)
			handler(lr)
		}()
	}
	// Output: AuthenticatedUser 17 /api/stories/{slug}
}

// On a hot path the label header is looked up once: Lookup decides
// whether the request may be labelled (an unlabelled request under
// LabelSoak costs that lookup only) and returns the header's values, from
// which ParseValues reads the labels.
func ExampleLabeler_ParseValues() {
	labeler := middleware.NewLabeler()
	mode := middleware.LabelSoak
	for _, value := range []string{"", "run=20261206T221240Z-dcf9;class=Bench;user=3;request=/ok"} {
		r := httptest.NewRequest("GET", "/ok", nil)
		if value != "" {
			r.Header.Set(label.Header, value)
		}
		vs, ok := mode.Lookup(r.Header)
		if !ok {
			fmt.Println("not labelled")
			continue
		}
		if labels := labeler.ParseValues(vs); mode.Wants(labels.Set) {
			lr := labeler.Begin(r, labels, "GET", "/ok")
			info := label.FromContext(lr.Context())
			fmt.Println(info.Run, info.Class, info.User, info.Request)
			labeler.End(lr)
		}
	}
	// Output:
	// not labelled
	// 20261206T221240Z-dcf9 Bench 3 /ok
}

// With the default HeaderMode, allowed responses carry the RateLimit
// fields once the identity has half its allowance or less left;
// HeadersAlways puts them on every response. Every 429 carries them.
func ExampleHeaderMode() {
	for _, mode := range []middleware.HeaderMode{middleware.HeadersNearLimit, middleware.HeadersAlways} {
		rl, err := middleware.NewRateLimiter(middleware.RateLimitConfig{Policy: middleware.PerMinute(4), Headers: mode})
		if err != nil {
			panic(err)
		}
		h := rl.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		fmt.Print(mode, ":")
		for range 5 {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/search/stories", nil))
			fmt.Printf(" %d[%s]", rec.Code, rec.Header().Get(middleware.HeaderRateLimitRemaining))
		}
		fmt.Println()
	}
	// Output:
	// near-limit: 200[] 200[2] 200[1] 200[0] 429[0]
	// always: 200[3] 200[2] 200[1] 200[0] 429[0]
}

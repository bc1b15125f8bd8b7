package middleware_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/soaklab/soak/middleware"
	"github.com/soaklab/soak/probe"
)

// The wiring of an echo service: route metrics and labels first, then
// echo's Recover, the service's authentication, and the per-user rate limit
// with the client IP as fallback. docs/middleware.md quotes this function.
func ExampleEcho() {
	p := probe.New()
	e := echo.New()
	e.Use(middleware.Echo(p)) // first: it sees every response, 429s and recovered panics included
	e.Use(echomw.Recover())
	e.Use(auth) // stores the user id: c.Set("user_id", id)
	e.Use(middleware.RateLimitWithConfig(middleware.RateLimitConfig{
		Probe:    p,
		Policy:   middleware.PerMinute(100),
		Identity: []middleware.Identifier{middleware.UserFromEcho("user_id")}, // else the client IP
	}))
	e.GET("/api/stories/:slug", getStory)

	// Serve e as usual; here, two requests in process.
	for _, path := range []string{"/api/stories/dragon-tale", "/api/stories/sea-song"} {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer user0001")
		e.ServeHTTP(httptest.NewRecorder(), req)
	}
	snap, _ := p.Snapshot(context.Background())
	r, _ := snap.HTTP.Route("GET", "/api/stories/:slug")
	fmt.Println(r.Route, r.Requests, r.Status2xx)
	fmt.Println(snap.Config[probe.ConfigRateLimit])
	// Output:
	// /api/stories/:slug 2 2
	// 100 req/min per user (else per ip), burst 100
}

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

func auth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if user, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer "); ok {
			c.Set("user_id", user)
		}
		return next(c)
	}
}

func getStory(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"slug": c.Param("slug")})
}

// A user over the limit gets 429 with the RateLimit fields and Retry-After.
func ExampleRateLimitWithConfig() {
	now := time.Date(2026, 2, 18, 12, 0, 0, 0, time.UTC)
	e := echo.New()
	e.Use(middleware.RateLimitWithConfig(middleware.RateLimitConfig{
		Policy: middleware.Policy{Limit: 2, Period: time.Minute},
		Now:    func() time.Time { return now }, // a frozen clock, for the example
	}))
	e.GET("/api/search/stories", func(c echo.Context) error { return c.String(http.StatusOK, "[]") })
	for range 3 {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest("GET", "/api/search/stories?q=dragon", nil))
		h := rec.Header()
		fmt.Println(rec.Code, h.Get("RateLimit-Remaining"), h.Get("RateLimit-Reset"), h.Get("Retry-After"), strings.TrimSpace(rec.Body.String()))
	}
	// Output:
	// 200 1 30  []
	// 200 0 60  []
	// 429 0 60 30 {"error":"Rate limit exceeded","policy":"2 req/min, burst 2","identity":"ip","retry_after_seconds":30}
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

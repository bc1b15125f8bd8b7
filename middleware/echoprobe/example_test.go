package echoprobe_test

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
	"github.com/soaklab/soak/middleware/echoprobe"
	"github.com/soaklab/soak/probe"
)

// The wiring of an echo service: route metrics and labels first, then
// echo's Recover, the service's authentication, and the per-user rate limit
// with the client IP as fallback. docs/middleware.md quotes this function.
func ExampleMiddleware() {
	p := probe.New()
	e := echo.New()
	e.Use(echoprobe.Middleware(p)) // first: it sees every response, 429s and recovered panics included
	e.Use(echomw.Recover())
	e.Use(auth) // stores the user id: c.Set("user_id", id)
	e.Use(echoprobe.RateLimitWithConfig(echoprobe.RateLimitConfig{
		Probe:    p,
		Policy:   middleware.PerMinute(100),
		Identity: []echoprobe.Identifier{echoprobe.User("user_id")}, // else the client IP
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
	e.Use(echoprobe.RateLimitWithConfig(echoprobe.RateLimitConfig{
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

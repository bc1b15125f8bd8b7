package echoprobe

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
	echomw "github.com/labstack/echo/v4/middleware"

	"github.com/soaklab/soak/middleware"
	"github.com/soaklab/soak/middleware/internal/mwtest"
	"github.com/soaklab/soak/probe"
)

func TestRouteTemplates(t *testing.T) {
	p := probe.New()
	e := newEcho()
	e.Use(Middleware(p))
	ok := func(c echo.Context) error { return c.String(http.StatusOK, "ok") }
	e.GET("/health", ok)
	e.GET("/api/stories/:slug", ok)
	e.GET("/static/*", ok)
	srv := mwtest.Serve(t, e)

	mwtest.ExpectStatuses(t, srv,
		"GET /api/stories/dragon-tale 200",
		"GET /api/stories/sea-song 200",
		"GET /static/css/site.css 200",
		"GET /health 200",
		"GET /nope 404",
		"GET /api/nope/123 404",
		"POST /health 405",
		"PURGE /health 405",
	)
	want := []string{
		"GET /api/stories/:slug", "GET /static/*", "GET /health",
		"GET " + middleware.UnmatchedRoute, "POST " + middleware.UnmatchedRoute, middleware.MethodOther + " " + middleware.UnmatchedRoute,
	}
	if got := mwtest.RouteKeys(t, p); !mwtest.SameSet(got, want) {
		t.Fatalf("routes %q, want %q", got, want)
	}
	if r := mwtest.RouteSnap(t, p, "GET", "/api/stories/:slug"); r.Requests != 2 || r.Status2xx != 2 || r.Latency.Count != 2 || r.BytesOut != 4 {
		t.Fatalf("story route: %+v", r)
	}
	if r := mwtest.RouteSnap(t, p, "GET", middleware.UnmatchedRoute); r.Requests != 2 || r.Status4xx != 2 {
		t.Fatalf("unmatched: %+v", r)
	}
}

func TestStatus(t *testing.T) {
	cases := []struct {
		name   string
		h      echo.HandlerFunc
		status int
	}{
		{"written", func(c echo.Context) error { return c.String(http.StatusCreated, "made") }, 201},
		{"nothing-written", func(c echo.Context) error { return nil }, 200},
		{"no-content", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }, 204},
		{"http-error", func(c echo.Context) error { return echo.NewHTTPError(http.StatusTeapot, "short") }, 418},
		{"too-many", func(c echo.Context) error { return echo.NewHTTPError(http.StatusTooManyRequests) }, 429},
		{"plain-error", func(c echo.Context) error { return errors.New("db down") }, 500},
		{"wrapped-http-error", func(c echo.Context) error {
			return fmt.Errorf("lookup: %w", echo.ErrNotFound) // not an *HTTPError itself: echo answers 500
		}, 500},
		{"internal-http-error", func(c echo.Context) error {
			return &echo.HTTPError{Code: 500, Message: "x", Internal: echo.NewHTTPError(http.StatusNotFound)}
		}, 404},
		{"error-after-commit", func(c echo.Context) error {
			if err := c.String(http.StatusAccepted, "partial"); err != nil {
				return err
			}
			return errors.New("failed after the response was sent")
		}, 202},
		{"redirect", func(c echo.Context) error { return c.Redirect(http.StatusFound, "/elsewhere") }, 302},
	}
	for _, handle := range []bool{false, true} {
		t.Run(fmt.Sprintf("HandleError=%v", handle), func(t *testing.T) {
			p := probe.New()
			e := newEcho()
			e.Use(MiddlewareWithConfig(MiddlewareConfig{Probe: p, HandleError: handle}))
			for _, tc := range cases {
				e.GET("/"+tc.name, tc.h)
			}
			srv := mwtest.Serve(t, e)
			srv.Client().CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			for _, tc := range cases {
				res := mwtest.Do(t, srv, "GET", "/"+tc.name, nil, nil)
				if res.Status != tc.status {
					t.Fatalf("%s: client got %d, want %d", tc.name, res.Status, tc.status)
				}
				r := mwtest.RouteSnap(t, p, "GET", "/"+tc.name)
				if r.Requests != 1 || mwtest.ClassCount(r, tc.status) != 1 || (r.Status429 == 1) != (tc.status == 429) {
					t.Errorf("%s: recorded %+v, want one %d", tc.name, r, tc.status)
				}
				if handle && r.BytesOut != uint64(len(res.Body)) {
					t.Errorf("%s: recorded %d bytes out, client got %d", tc.name, r.BytesOut, len(res.Body))
				}
				if r.InFlight != 0 {
					t.Errorf("%s: %d in flight after the response", tc.name, r.InFlight)
				}
			}
		})
	}
}

// With HandleError, a custom error handler decides the status, and that is
// what is recorded.
func TestCustomErrorHandler(t *testing.T) {
	errBusy := errors.New("busy")
	p := probe.New()
	e := newEcho()
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if errors.Is(err, errBusy) {
			_ = c.String(http.StatusServiceUnavailable, "try later")
			return
		}
		e.DefaultHTTPErrorHandler(err, c)
	}
	e.Use(MiddlewareWithConfig(MiddlewareConfig{Probe: p, HandleError: true}))
	e.GET("/busy", func(c echo.Context) error { return fmt.Errorf("queue: %w", errBusy) })
	srv := mwtest.Serve(t, e)
	if got := mwtest.Do(t, srv, "GET", "/busy", nil, nil).Status; got != 503 {
		t.Fatalf("client got %d", got)
	}
	if r := mwtest.RouteSnap(t, p, "GET", "/busy"); r.Status5xx != 1 || r.BytesOut != uint64(len("try later")) {
		t.Fatalf("recorded %+v", r)
	}
}

// A panic passes through the middleware to echo's Recover, wherever Recover
// sits, and the request is recorded as a 500.
func TestPanic(t *testing.T) {
	for _, order := range []string{"recover-outside", "recover-inside"} {
		t.Run(order, func(t *testing.T) {
			p := probe.New()
			e := newEcho()
			var mu sync.Mutex
			var recovered []string
			rec := echomw.RecoverWithConfig(echomw.RecoverConfig{
				LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
					mu.Lock()
					recovered = append(recovered, err.Error()+"\n"+string(stack))
					mu.Unlock()
					return err
				},
			})
			if order == "recover-outside" {
				e.Use(rec, Middleware(p))
			} else {
				e.Use(Middleware(p), rec)
			}
			e.GET("/boom/:id", panickingHandler)
			srv := mwtest.Serve(t, e)
			res := mwtest.Do(t, srv, "GET", "/boom/7", nil, nil)
			if res.Status != 500 {
				t.Fatalf("client got %d", res.Status)
			}
			mu.Lock()
			defer mu.Unlock()
			// Recover saw the original panic value, and the stack still
			// shows where it was raised.
			if len(recovered) != 1 || !strings.HasPrefix(recovered[0], "kaboom 7\n") || !strings.Contains(recovered[0], "panickingHandler") {
				t.Fatalf("Recover saw %q", recovered)
			}
			r := mwtest.RouteSnap(t, p, "GET", "/boom/:id")
			if r.Requests != 1 || r.Status5xx != 1 || r.InFlight != 0 {
				t.Fatalf("recorded %+v", r)
			}
		})
	}
}

func panickingHandler(c echo.Context) error {
	panic("kaboom " + c.Param("id"))
}

// 429s written by echo's own rate limiter are recorded as 429s (not as
// denials of this package's limiter).
func TestCountsOtherLimiters429(t *testing.T) {
	p := probe.New()
	e := newEcho()
	// Rate 0.0001/s with a burst of 1: one request passes, the rest are
	// denied for hours, whatever the clock does during the test.
	store := echomw.NewRateLimiterMemoryStoreWithConfig(echomw.RateLimiterMemoryStoreConfig{Rate: 0.0001, Burst: 1})
	e.Use(Middleware(p), echomw.RateLimiter(store))
	e.GET("/api/search/stories", func(c echo.Context) error { return c.String(200, "[]") })
	srv := mwtest.Serve(t, e)
	denied := 0
	for range 12 {
		if mwtest.Do(t, srv, "GET", "/api/search/stories", nil, nil).Status == 429 {
			denied++
		}
	}
	r := mwtest.RouteSnap(t, p, "GET", "/api/search/stories")
	if denied != 11 || r.Status429 != 11 || r.Status4xx != 11 || r.Status2xx != 1 {
		t.Fatalf("client saw %d denials; recorded %+v", denied, r)
	}
	if r.RateLimitedUser+r.RateLimitedIP+r.RateLimitedHeader+r.RateLimitedOther != 0 {
		t.Fatalf("echo's denials counted as ours: %+v", r)
	}
}

func TestSkipperAndBodyBytes(t *testing.T) {
	p := probe.New()
	e := newEcho()
	e.Use(MiddlewareWithConfig(MiddlewareConfig{Probe: p, Skipper: func(c echo.Context) bool { return c.Path() == "/health" }}))
	e.GET("/health", func(c echo.Context) error { return c.NoContent(200) })
	e.POST("/api/whispers", func(c echo.Context) error {
		var v map[string]any
		if err := c.Bind(&v); err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, v)
	})
	srv := mwtest.Serve(t, e)
	mwtest.Do(t, srv, "GET", "/health", nil, nil)
	body := `{"story":"dragon-tale","text":"hello"}`
	res := mwtest.Do(t, srv, "POST", "/api/whispers", http.Header{"Content-Type": {"application/json"}}, strings.NewReader(body))
	// An io.Reader of unknown length is sent chunked: the middleware counts
	// the bytes the handler read.
	res2 := mwtest.Do(t, srv, "POST", "/api/whispers", http.Header{"Content-Type": {"application/json"}}, struct{ io.Reader }{strings.NewReader(body)})
	if res.Status != 201 || res2.Status != 201 {
		t.Fatalf("status %d, %d", res.Status, res2.Status)
	}
	if slices.Contains(mwtest.RouteKeys(t, p), "GET /health") {
		t.Fatal("skipped route recorded")
	}
	r := mwtest.RouteSnap(t, p, "POST", "/api/whispers")
	if r.BytesIn != uint64(2*len(body)) || r.BytesOut != uint64(len(res.Body)+len(res2.Body)) {
		t.Fatalf("bytes in %d out %d, want %d and %d", r.BytesIn, r.BytesOut, 2*len(body), len(res.Body)+len(res2.Body))
	}
}

func TestConcurrent(t *testing.T) {
	p := probe.New()
	e := newEcho()
	e.Use(Middleware(p))
	e.GET("/api/stories/:slug", func(c echo.Context) error { return c.String(200, c.Param("slug")) })
	e.GET("/api/users/me", func(c echo.Context) error { return echo.ErrUnauthorized })
	srv := mwtest.Serve(t, e)
	const workers, each = 16, 40
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				h := mwtest.SoakHeaders("", "C"+fmt.Sprint(w%3), fmt.Sprint(w), "")
				if i%2 == 0 {
					mwtest.GoDo(t, srv, "GET", fmt.Sprintf("/api/stories/s%d", i), h)
				} else {
					mwtest.GoDo(t, srv, "GET", "/api/users/me", nil)
				}
			}
		})
	}
	wg.Wait()
	s, u := mwtest.RouteSnap(t, p, "GET", "/api/stories/:slug"), mwtest.RouteSnap(t, p, "GET", "/api/users/me")
	if s.Requests != workers*each/2 || s.Status2xx != s.Requests || u.Status4xx != workers*each/2 || s.InFlight+u.InFlight != 0 {
		t.Fatalf("stories %+v\nme %+v", s, u)
	}
}

func TestConfigPanics(t *testing.T) {
	mwtest.Panics(t, func() { MiddlewareWithConfig(MiddlewareConfig{}) }, "echoprobe: MiddlewareConfig.Probe is required")
	mwtest.Panics(t, func() { MiddlewareWithConfig(MiddlewareConfig{Probe: probe.New(), Labels: 9}) }, "echoprobe: MiddlewareConfig.Labels: unknown LabelMode 9")
	mwtest.Panics(t, func() { RateLimitWithConfig(RateLimitConfig{Policy: middleware.Policy{Limit: 5}}) }, "Period must be >= 1ms")
}

package echoprobe

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
	"github.com/labstack/echo/v4"

	"github.com/soaklab/soak/middleware"
	"github.com/soaklab/soak/middleware/internal/mwtest"
	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/label"
)

func TestLabels(t *testing.T) {
	for _, tc := range mwtest.LabelCases {
		t.Run(tc.Name, func(t *testing.T) {
			e := newEcho()
			e.Use(MiddlewareWithConfig(MiddlewareConfig{Probe: probe.New(), Labels: mwtest.Mode[middleware.LabelMode](t, tc.Mode)}))
			var got mwtest.Seen
			e.GET("/api/stories/:slug", func(c echo.Context) error {
				got = mwtest.CaptureLabels(c.Request().Context())
				return c.NoContent(204)
			})
			res := mwtest.Do(t, mwtest.Serve(t, e), "GET", "/api/stories/abc", tc.Header, nil)
			got.Header = res.Header
			mwtest.CheckSeen(t, tc.Name, got, tc.Want, "GET", "/api/stories/:slug")
		})
	}
}

// TestLabelsRestored: after a labelled request the handling goroutine's
// pprof labels are those it had before.
func TestLabelsRestored(t *testing.T) {
	mwtest.CheckLabelsRestored(t, func(handler http.HandlerFunc) http.Handler {
		e := newEcho()
		e.Use(Middleware(probe.New()))
		e.GET("/api/stories/:slug", echo.WrapHandler(handler))
		return e
	})
}

// TestCPUProfileLabels captures a real CPU profile while soak-labelled
// requests burn CPU in their handlers, and finds the route and user class
// on the samples taken inside the handler.
func TestCPUProfileLabels(t *testing.T) {
	e := newEcho()
	e.Use(Middleware(probe.New()))
	e.GET("/burn/:n", func(c echo.Context) error { mwtest.BurnHandler(c.Response(), c.Request()); return nil })
	mwtest.CPUProfileLabels(t, mwtest.Serve(t, e).URL, "/burn/:n")
}

// FuzzLabelHeaders sends arbitrary soak label values through the echo
// middleware: a label reaches the context and pprof only exactly as sent
// and valid; anything else is absent. It never panics.
func FuzzLabelHeaders(f *testing.F) {
	f.Add("run-1", "AuthenticatedUser", "17", "/api/stories/[slug]")
	f.Add("", "A B", "1\n2", strings.Repeat("x", 200))
	f.Add("ü", "\x00", "\"", "ok")
	e := newEcho()
	e.Use(Middleware(probe.New()))
	var got mwtest.Seen
	e.GET("/s/:id", func(c echo.Context) error {
		got = mwtest.CaptureLabels(c.Request().Context())
		return nil
	})
	f.Fuzz(func(t *testing.T, run, class, user, req string) {
		got = mwtest.Seen{}
		r := httptest.NewRequest("GET", "/s/1", nil)
		r.Header = mwtest.SoakHeaders(run, class, user, req)
		e.ServeHTTP(httptest.NewRecorder(), r)
		want := label.Parse(r.Header)
		// A value holding the header's separators (";", spaces around a
		// field) is the parser's case (label.FuzzParseValue); any other
		// arrives exactly as sent when valid, and not at all otherwise.
		plain := func(v string) bool { return !strings.Contains(v, ";") && strings.Trim(v, " \t") == v }
		if plain(run) && plain(class) && plain(user) && plain(req) &&
			want != (label.Set{Run: validOrEmpty(run), Class: validOrEmpty(class), User: validOrEmpty(user), Request: validOrEmpty(req)}) {
			t.Fatalf("labels %+v read from %q %q %q %q", want, run, class, user, req)
		}
		for k, v := range map[string]string{mwtest.PprofRun: want.Run, mwtest.PprofClass: want.Class, mwtest.PprofRequest: want.Request} {
			if lv, ok := got.Pprof[k]; ok != (v != "") || lv != v {
				t.Fatalf("pprof label %s=%q (present %v), want %q", k, lv, ok, v)
			}
		}
		if _, ok := got.Pprof["soak.user"]; ok {
			t.Fatalf("a pprof label per user: %v", got.Pprof)
		}
		if (got.Info != nil) != !want.IsZero() || (got.Info != nil && got.Info.Set != want) {
			t.Fatalf("context Info %+v, want labels %+v", got.Info, want)
		}
	})
}

func validOrEmpty(v string) string {
	if label.Valid(v) {
		return v
	}
	return ""
}

// blockedHandler parks until release is closed, for the goroutine profile.
//
//go:noinline
func blockedHandler(entered chan<- struct{}, release <-chan struct{}) {
	entered <- struct{}{}
	<-release
}

// TestGoroutineProfileLabels captures a goroutine profile while a labelled
// request is parked in its handler, and finds the route and user class on
// the handler's goroutine. (fgprof v0.9.5 builds its profiles from
// runtime.GoroutineProfile, which returns no labels: its profiles cannot
// split by label, whatever the middleware does.)
func TestGoroutineProfileLabels(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	e := newEcho()
	e.Use(Middleware(probe.New()))
	e.GET("/api/library/shelves", func(c echo.Context) error {
		blockedHandler(entered, release)
		return c.NoContent(204)
	})
	srv := mwtest.Serve(t, e)
	done := make(chan mwtest.Result)
	go func() {
		done <- mwtest.GoDo(t, srv, "GET", "/api/library/shelves", mwtest.SoakHeaders("run-2", "WriterUser", "8", "shelves"))
	}()
	<-entered
	prof := func() *profile.Profile {
		defer close(release) // also when the profile fails t
		return mwtest.GoroutineProfile(t)
	}()
	if res := <-done; res.Status != 204 {
		t.Fatalf("request: %d", res.Status)
	}
	for _, s := range prof.Sample {
		if !mwtest.SampleIn(s, "blockedHandler") {
			continue
		}
		if fmt.Sprint(s.Label[mwtest.PprofRoute], s.Label[mwtest.PprofClass], s.Label[mwtest.PprofRun]) != "[/api/library/shelves] [WriterUser] [run-2]" {
			t.Fatalf("the handler's goroutine has labels %v", s.Label)
		}
		return
	}
	t.Fatal("no goroutine in blockedHandler in the profile")
}

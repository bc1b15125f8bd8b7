package echoprobe

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"runtime/pprof"
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

// TestCPUProfileLabels captures a real CPU profile while soak-labelled
// requests burn CPU in their handlers, and finds the route and user class
// on the samples taken inside the handler.
func TestCPUProfileLabels(t *testing.T) {
	e := newEcho()
	e.Use(Middleware(probe.New()))
	e.GET("/burn/:n", func(c echo.Context) error { mwtest.BurnHandler(c.Response(), c.Request()); return nil })
	mwtest.CPUProfileLabels(t, mwtest.Serve(t, e).URL, "/burn/:n")
}

// FuzzLabelHeaders sends arbitrary soak header values through the echo
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
		sent := map[string]string{label.HeaderRun: run, label.HeaderClass: class, label.HeaderUser: user, label.HeaderRequest: req}
		for k, v := range sent {
			r.Header[k] = []string{v}
		}
		e.ServeHTTP(httptest.NewRecorder(), r)
		valid := 0
		for k, v := range sent {
			if label.Valid(v) {
				valid++
			}
			key := map[string]string{label.HeaderRun: mwtest.PprofRun, label.HeaderClass: mwtest.PprofClass, label.HeaderRequest: mwtest.PprofRequest}[k]
			if key == "" { // the user's number: in the Info only
				if _, ok := got.Pprof["soak.user"]; ok {
					t.Fatalf("header %s=%q: a pprof label per user", k, v)
				}
				continue
			}
			if lv, ok := got.Pprof[key]; ok != label.Valid(v) || (ok && lv != v) {
				t.Fatalf("header %s=%q: pprof label %q (present %v)", k, v, lv, ok)
			}
		}
		if (got.Info != nil) != (valid > 0) {
			t.Fatalf("%d valid labels, context Info %+v", valid, got.Info)
		}
		if got.Info != nil && (got.Info.Run != validOrEmpty(run) || got.Info.Class != validOrEmpty(class) ||
			got.Info.User != validOrEmpty(user) || got.Info.Request != validOrEmpty(req)) {
			t.Fatalf("context Info %+v for %q %q %q %q", got.Info, run, class, user, req)
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
	var buf bytes.Buffer
	err := pprof.Lookup("goroutine").WriteTo(&buf, 0)
	close(release)
	if res := <-done; err != nil || res.Status != 204 {
		t.Fatalf("profile: %v; request: %d", err, res.Status)
	}
	prof, err := profile.Parse(&buf)
	if err != nil {
		t.Fatal(err)
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

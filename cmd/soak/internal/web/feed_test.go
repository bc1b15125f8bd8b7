package web

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/probe"
)

// sse is a test's reader of /events.
type sse struct {
	resp *http.Response
	sc   *bufio.Scanner
}

func openEvents(t *testing.T, ctx context.Context, url string) *sse {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("/events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	t.Cleanup(func() { resp.Body.Close() })
	return &sse{resp: resp, sc: bufio.NewScanner(resp.Body)}
}

// next returns the next event's kind and data.
func (s *sse) next(t *testing.T) (string, []byte) {
	t.Helper()
	var kind string
	for s.sc.Scan() {
		line := s.sc.Text()
		if k, ok := strings.CutPrefix(line, "event: "); ok {
			kind = k
		} else if d, ok := strings.CutPrefix(line, "data: "); ok && kind != "" {
			return kind, []byte(d)
		}
	}
	t.Fatalf("the stream ended: %v", s.sc.Err())
	return "", nil
}

// until reads events until one of kind satisfies ok, which decodes it.
func (s *sse) until(t *testing.T, kind string, ok func([]byte) bool) {
	t.Helper()
	for {
		if k, d := s.next(t); k == kind && ok(d) {
			return
		}
	}
}

// A real run fed to the server: a viewer sees the start, intervals with
// the users, the endpoints table, a change of users sent through POST
// /users applied by the engine, and the end with its files; a viewer who
// connects late is sent the history.
func TestFeedRealRun(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer target.Close()
	ctl := engine.NewControl()
	stop := make(chan struct{})
	srv, ts := newTest(t, Config{Control: ctl, Stop: func() { close(stop) }})
	_, page := get(t, ts.URL+"/")
	tok := csrfOf(t, page)

	p := engine.Plan{Host: target.URL, Duration: time.Minute, Interval: 100 * time.Millisecond,
		Load: engine.Closed{Users: 3}, Control: ctl, Stop: stop, OnStart: srv.Start, OnInterval: srv.Interval,
		Classes: []engine.Class{{Name: "u", Weight: 1, Wait: engine.Constant{D: 20 * time.Millisecond},
			Tasks: []engine.Task{{Weight: 1, Do: func(ctx context.Context, u *engine.User) error {
				_, err := u.Get(ctx, "/hello", "/hello")
				return err
			}}}}}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ev := openEvents(t, ctx, ts.URL)
	resc := make(chan *engine.Result, 1)
	go func() {
		r, err := engine.Run(ctx, p)
		if err != nil {
			t.Error(err)
		}
		resc <- r
	}()
	ev.until(t, "start", func(d []byte) bool {
		var s startEvent
		return json.Unmarshal(d, &s) == nil && s.Model == "closed" && s.Users == 3 && s.Controls
	})
	ev.until(t, "interval", func(d []byte) bool {
		var iv intervalEvent
		return json.Unmarshal(d, &iv) == nil && iv.Users == 3 && iv.Requests > 0
	})
	ev.until(t, "endpoints", func(d []byte) bool {
		var e struct{ Rows []endpointRow }
		return json.Unmarshal(d, &e) == nil && len(e.Rows) == 1 && e.Rows[0].Name == "/hello" && e.Rows[0].Requests > 0
	})
	if resp, body := post(t, ts.URL+"/users", `{"n":7}`, csrfHeader, tok); resp.StatusCode != 200 {
		t.Fatalf("POST /users: %d %s", resp.StatusCode, body)
	}
	ev.until(t, "interval", func(d []byte) bool {
		var iv intervalEvent
		return json.Unmarshal(d, &iv) == nil && len(iv.Changes) == 1 && iv.Changes[0].Text == "users changed to 7"
	})
	ev.until(t, "interval", func(d []byte) bool {
		var iv intervalEvent
		return json.Unmarshal(d, &iv) == nil && iv.Users == 7
	})
	srv.Sample(&capture.Sample{Source: "svc", Time: time.Now(), Phase: capture.PhaseSteady, Snapshot: &probe.Snapshot{}})
	ev.until(t, "phase", func(d []byte) bool { return strings.Contains(string(d), `"steady"`) })
	if resp, body := post(t, ts.URL+"/stop", `{}`, csrfHeader, tok); resp.StatusCode != 200 {
		t.Fatalf("POST /stop: %d %s", resp.StatusCode, body)
	}
	res := <-resc
	if res == nil || !res.Stopped {
		t.Fatalf("the run did not stop gracefully: %+v", res)
	}
	if ch := res.Changes(); len(ch) != 1 || ch[0].Users != 7 {
		t.Fatalf("changes %+v", ch)
	}
	dir := t.TempDir()
	file := dir + "/report.html"
	if err := writeFile(file, "<p>report</p>"); err != nil {
		t.Fatal(err)
	}
	srv.Done(Final{ExitCode: 0, Files: []string{file}, Dir: dir})
	ev.until(t, "done", func(d []byte) bool { return strings.Contains(string(d), `"files/report.html"`) })
	if resp, body := get(t, ts.URL+"/files/report.html"); resp.StatusCode != 200 || body != "<p>report</p>" ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("GET the report: %d %q", resp.StatusCode, body)
	}
	for _, bad := range []string{"/files/..%2fetc%2fpasswd", "/files/probe.jsonl", "/files/"} {
		if resp, _ := get(t, ts.URL+bad); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", bad, resp.StatusCode)
		}
	}
	// A late viewer is sent start, the history and the last endpoints and done.
	late := openEvents(t, ctx, ts.URL)
	var kinds []string
	for k, _ := late.next(t); ; k, _ = late.next(t) {
		kinds = append(kinds, k)
		if k == "done" {
			break
		}
	}
	if kinds[0] != "start" || !contains(kinds, "interval") || !contains(kinds, "phase") || kinds[len(kinds)-2] != "endpoints" {
		t.Errorf("a late viewer's events: %v", kinds)
	}
	// After the run, stop closes the view (Linger returns).
	lingered := make(chan struct{})
	go func() { srv.Linger(ctx, time.Minute); close(lingered) }()
	if resp, body := post(t, ts.URL+"/stop", `{}`, csrfHeader, tok); resp.StatusCode != 200 {
		t.Fatalf("POST /stop after the run: %d %s", resp.StatusCode, body)
	}
	<-lingered
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// A viewer that does not keep up is disconnected; publishing never waits
// for it. A viewer past the cap is refused.
func TestSlowViewer(t *testing.T) {
	s, ts := newTest(t, Config{MaxViewers: 1})
	v := &viewer{q: make(chan []byte, viewerQueue)}
	s.mu.Lock()
	s.hub.viewers[v] = struct{}{}
	s.mu.Unlock()
	for i := range viewerQueue + 10 {
		s.publish("note", i) // would block forever if publish waited
	}
	s.mu.Lock()
	_, still := s.hub.viewers[v]
	s.mu.Unlock()
	if still {
		t.Fatal("a full viewer is still connected")
	}
	n := 0
	for range v.q { // closed: drains then ends
		n++
	}
	if n != viewerQueue {
		t.Errorf("%d events queued, want %d", n, viewerQueue)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	openEvents(t, ctx, ts.URL)
	if resp, _ := get(t, ts.URL+"/events"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a viewer past the cap: %d, want 503", resp.StatusCode)
	}
	// History stays bounded.
	for i := range maxHistory + 5 {
		s.publish("note", i)
	}
	s.mu.Lock()
	h := len(s.hub.history)
	s.mu.Unlock()
	if h != maxHistory {
		t.Errorf("history %d events, want %d", h, maxHistory)
	}
}

// POST /rate changes a running open-model load: the engine applies it
// and the next intervals say so; /users is refused for that model.
func TestFeedRateChange(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer target.Close()
	ctl := engine.NewControl()
	stop := make(chan struct{})
	srv, ts := newTest(t, Config{Control: ctl, Stop: func() { close(stop) }})
	_, page := get(t, ts.URL+"/")
	tok := csrfOf(t, page)
	p := engine.Plan{Host: target.URL, Duration: time.Minute, Interval: 100 * time.Millisecond,
		Load: engine.Open{Rate: 10}, Control: ctl, Stop: stop, OnStart: srv.Start, OnInterval: srv.Interval,
		Classes: []engine.Class{{Name: "u", Weight: 1, Tasks: []engine.Task{{Weight: 1, Do: func(ctx context.Context, u *engine.User) error {
			_, err := u.Get(ctx, "/", "/")
			return err
		}}}}}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ev := openEvents(t, ctx, ts.URL)
	resc := make(chan *engine.Result, 1)
	go func() {
		r, _ := engine.Run(ctx, p)
		resc <- r
	}()
	ev.until(t, "interval", func(d []byte) bool { return true })
	if resp, body := post(t, ts.URL+"/users", `{"n":5}`, csrfHeader, tok); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "open-model") {
		t.Errorf("POST /users on an open-model run: %d %s, want 409", resp.StatusCode, body)
	}
	if resp, body := post(t, ts.URL+"/rate", `{"r":250}`, csrfHeader, tok); resp.StatusCode != 200 {
		t.Fatalf("POST /rate: %d %s", resp.StatusCode, body)
	}
	ev.until(t, "interval", func(d []byte) bool {
		var iv intervalEvent
		return json.Unmarshal(d, &iv) == nil && len(iv.Changes) == 1 && iv.Changes[0].Text == "rate changed to 250/s"
	})
	post(t, ts.URL+"/stop", `{}`, csrfHeader, tok)
	if res := <-resc; res == nil || len(res.Changes()) != 1 || res.Changes()[0].Rate != 250 {
		t.Fatalf("the run's changes: %+v", res)
	}
}

// An early warning is an event with its run time and text, kept for a
// viewer that connects later.
func TestFeedWarning(t *testing.T) {
	srv, ts := newTest(t, Config{})
	srv.Start(engine.RunInfo{RunID: "r", Model: "closed", Start: time.Now(), Interval: time.Second})
	srv.Warning(capture.Warning{Kind: capture.WarnHeld, Source: "svc", Where: "main.(*store).Story", Route: "GET /stories/:id",
		What: "3 pgx-conn held over 30s", At: 34 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ev := openEvents(t, ctx, ts.URL)
	ev.until(t, "warning", func(d []byte) bool {
		var w warningEvent
		return json.Unmarshal(d, &w) == nil && w.Kind == "held-too-long" && w.Clock == "0m34s" && w.T == 34 &&
			w.Text == "held-too-long in main.(*store).Story (GET /stories/:id): 3 pgx-conn held over 30s [probe svc]"
	})
}

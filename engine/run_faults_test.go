package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// HTTP 429 is counted apart: neither a success nor a failure, and not in
// the errors; a task sees ErrRateLimited. Listed in Expect, it succeeds.
func TestRateLimitAccounting(t *testing.T) {
	var n atomic.Int64
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/limited" && n.Add(1)%2 == 0 {
			w.WriteHeader(http.StatusTooManyRequests)
		}
	})
	var sawLimited atomic.Bool
	p := Plan{Host: srv.URL, Duration: ms(400), Load: Closed{Users: 2},
		Classes: []Class{{Name: "R", Weight: 1, Wait: Constant{ms(5)}, Tasks: []Task{
			{Weight: 1, Do: func(ctx context.Context, u *User) error {
				resp, err := u.Get(ctx, "/limited", "")
				if errors.Is(err, ErrRateLimited) && resp != nil && resp.Status == 429 {
					sawLimited.Store(true)
				}
				return err
			}},
			{Weight: 1, Do: func(ctx context.Context, u *User) error {
				_, err := u.Do(ctx, &Request{Path: "/always", Expect: []int{200, 429}})
				return err
			}},
		}}}}
	res := mustRun(t, context.Background(), p)
	s := stat(res, "GET", "/limited")
	if s.RateLimited == 0 || s.Failures() != 0 || s.Successes()+s.RateLimited != s.Requests {
		t.Fatalf("requests %d, 429s %d, failures %d, successes %d", s.Requests, s.RateLimited, s.Failures(), s.Successes())
	}
	// The server answered every other request with a 429; at most one
	// request per user was cut off by the end (seen by the server, not
	// recorded).
	if d := s.Requests - 2*s.RateLimited; d < -2 || d > 2 {
		t.Fatalf("every other request was a 429: %d of %d", s.RateLimited, s.Requests)
	}
	if len(res.Total.Errors) != 0 || !sawLimited.Load() {
		t.Fatalf("errors %v, task saw ErrRateLimited: %v", res.Total.Errors, sawLimited.Load())
	}
	if a := stat(res, "GET", "/always"); a.Failures() != 0 || a.RateLimited != 0 || a.Requests == 0 {
		t.Fatalf("expected statuses: %+v", a)
	}
}

// Failures are aggregated by (method, name, error) with count, first and
// last seen; distinct errors beyond MaxErrors are counted, not kept.
func TestErrorAggregation(t *testing.T) {
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/500":
			w.WriteHeader(500)
		case "/404":
			w.WriteHeader(404)
		case "/created":
			w.WriteHeader(200)
		}
		fmt.Fprintf(w, "body %s", r.URL.Query().Get("i"))
	})
	var i atomic.Int64
	p := Plan{Host: srv.URL, Duration: ms(500), Load: Closed{Users: 2}, MaxErrors: 6,
		Classes: []Class{{Name: "E", Weight: 1, Wait: Constant{ms(5)}, Tasks: []Task{
			{Weight: 1, Do: get("/500", "")},
			{Weight: 1, Do: get("/404?i=1", "/404")},
			{Weight: 1, Do: func(ctx context.Context, u *User) error {
				_, err := u.Do(ctx, &Request{Method: "POST", Path: "/created", Expect: []int{201}})
				return err
			}},
			{Weight: 1, Do: func(ctx context.Context, u *User) error { // a 200 with the wrong body fails
				_, err := u.Do(ctx, &Request{Path: fmt.Sprintf("/check?i=%d", i.Add(1)), Name: "/check",
					Check: BodyContains("expected")})
				return err
			}},
		}}}}
	res := mustRun(t, context.Background(), p)
	byName := map[string]ErrorStat{}
	var counted int64
	for _, e := range res.Total.Errors {
		byName[e.Method+" "+e.Name] = e
		counted += e.Count
		if e.Count <= 0 || e.Last.Before(e.First) || e.First.Before(res.Start) {
			t.Errorf("bad error entry %+v", e)
		}
	}
	for key, want := range map[string]struct {
		kind Kind
		msg  string
	}{
		"GET /500":      {KindStatus5xx, "HTTP 500 Internal Server Error"},
		"GET /404":      {KindStatus4xx, "HTTP 404 Not Found"},
		"POST /created": {KindStatusOther, "unexpected status 200 (expected [201])"},
		"GET /check":    {KindCheck, "check failed: body lacks \"expected\""},
	} {
		e, ok := byName[key]
		if !ok || e.Kind != want.kind || e.Error != want.msg {
			t.Errorf("%s: got %+v, want kind %v %q", key, e, want.kind, want.msg)
			continue
		}
		s := stat(res, strings.Fields(key)[0], strings.Fields(key)[1])
		if e.Count != s.Kinds[want.kind] || s.Failures() != s.Requests {
			t.Errorf("%s: %d errors for %d failures of %d requests", key, e.Count, s.Kinds[want.kind], s.Requests)
		}
	}
	if len(res.Total.Errors) > 6 {
		t.Errorf("%d distinct errors kept, MaxErrors is 6", len(res.Total.Errors))
	}
	var failures int64
	for _, s := range res.Total.Stats {
		failures += s.Failures()
	}
	if counted+res.Total.ErrorsOverflow != failures {
		t.Errorf("errors %d + overflow %d != failures %d", counted, res.Total.ErrorsOverflow, failures)
	}
}

// Cancelling the context stops the load at once, aborts the requests in
// flight (the server sees them go), and returns complete results.
func TestCancelAbortsInFlight(t *testing.T) {
	inFlight := make(chan struct{}, 100)
	gone := make(chan struct{}, 100)
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hang" {
			inFlight <- struct{}{}
			<-r.Context().Done() // until the client goes away
			gone <- struct{}{}
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const users = 5
	p := Plan{Host: srv.URL, Duration: time.Hour, Load: Closed{Users: users},
		Classes: []Class{{Name: "H", Weight: 1, Tasks: []Task{{Weight: 1, Do: func(ctx context.Context, u *User) error {
			if _, err := u.Get(ctx, "/quick", ""); err != nil {
				return err
			}
			_, err := u.Get(ctx, "/hang", "")
			return err
		}}}}}}
	go func() {
		for range users {
			<-inFlight
		}
		cancel()
	}()
	res := mustRun(t, ctx, p)
	for range users {
		<-gone // every hanging request was aborted: its connection closed
	}
	if !res.Canceled {
		t.Fatal("Result.Canceled not set")
	}
	hang, quick := stat(res, "GET", "/hang"), stat(res, "GET", "/quick")
	if hang.Aborted != users || hang.Requests != 0 || hang.Failures() != 0 {
		t.Fatalf("/hang: aborted %d requests %d failures %d; want %d aborted only", hang.Aborted, hang.Requests, hang.Failures(), users)
	}
	if quick.Requests != users || len(res.Intervals) == 0 || res.Total.Total().Requests != users {
		t.Fatalf("/quick: %d requests, %d intervals", quick.Requests, len(res.Intervals))
	}
	if res.End.Sub(res.Start) > time.Minute {
		t.Fatal("the run went on after the cancellation")
	}
}

// A target that refuses connections for a while, then comes back: the
// failures show in those intervals, by kind, and the run goes on to its end.
func TestRefusedThenBack(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	srv := httptest.NewUnstartedServer(okHandler())
	srv.Listener = ln
	srv.Start()
	defer func() { srv.Close() }()
	p := Plan{Host: "http://" + addr, Duration: ms(2400), Interval: ms(200), Load: Closed{Users: 2},
		Classes: []Class{{Name: "F", Weight: 1, Wait: Constant{ms(10)}, Tasks: []Task{{Weight: 1, Do: get("/", "")}}}},
		OnInterval: func(iv *Interval) {
			switch iv.Seq {
			case 2: // 600 ms: the service goes away
				srv.Close()
			case 7: // 1600 ms: back on the same port
				ln, err := net.Listen("tcp", addr)
				if err != nil {
					panic(err)
				}
				srv = httptest.NewUnstartedServer(okHandler())
				srv.Listener = ln
				srv.Start()
			}
		}}
	res := mustRun(t, context.Background(), p)
	if res.End.Sub(res.Start) < ms(2400) {
		t.Fatalf("the run stopped early, after %v", res.End.Sub(res.Start))
	}
	var down, upAfter bool
	for _, iv := range res.Intervals {
		s := iv.Stat("GET", "/")
		if s == nil {
			continue
		}
		if iv.Seq >= 3 && iv.Seq <= 7 && s.Kinds[KindRefused] > 0 && s.Successes() == 0 {
			down = true
		}
		if iv.Seq >= 10 && s.Successes() > 0 && s.Failures() == 0 {
			upAfter = true
		}
	}
	tot := stat(res, "GET", "/")
	if !down || !upAfter {
		for _, iv := range res.Intervals {
			if s := iv.Stat("GET", "/"); s != nil {
				t.Logf("interval %d: %d requests, %d refused, %d failures", iv.Seq, s.Requests, s.Kinds[KindRefused], s.Failures())
			}
		}
		t.Fatalf("refused intervals seen: %v, recovered after: %v", down, upAfter)
	}
	var refused bool
	for _, e := range res.Total.Errors {
		refused = refused || (e.Kind == KindRefused && e.Error == "connection refused")
		if strings.Contains(e.Error, "127.0.0.1") {
			t.Errorf("error %q holds an address: errors would not aggregate", e.Error)
		}
	}
	if !refused || tot.Kinds[KindRefused] == 0 {
		t.Fatalf("no refused errors: %+v", res.Total.Errors)
	}
}

// A request that runs out of Transport.Timeout fails as a timeout, after
// no less than the timeout.
//
// The run ends when the server receives its third request (at most
// 60 s): the one user sends one request at a time, so the first two
// have ended by then, and the third is aborted, which is not an error.
// A fixed 500 ms run held fewer than two timed-out requests when a
// loaded machine was slow to start the user and open its connection.
func TestTimeoutIsAFailureByKind(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var n atomic.Int64
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 3 {
			cancel()
		}
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	})
	p := Plan{Host: srv.URL, Duration: time.Minute, Load: Closed{Users: 1}, Transport: Transport{Timeout: ms(100)},
		Classes: []Class{{Name: "T", Weight: 1, Tasks: []Task{{Weight: 1, Do: get("/slow", "")}}}}}
	res := mustRun(t, ctx, p)
	s := stat(res, "GET", "/slow")
	if s.Kinds[KindTimeout] < 2 || res.Total.Errors[0].Error != "timeout after 100ms" {
		t.Fatalf("timeouts %d, errors %+v", s.Kinds[KindTimeout], res.Total.Errors)
	}
	if s.MinMicros < 100_000 {
		t.Fatalf("a timed-out request took %dus, less than the 100ms timeout", s.MinMicros)
	}
}

// StopTimeout lets tasks in flight finish after Duration; zero aborts them.
func TestStopTimeout(t *testing.T) {
	for _, c := range []struct {
		stop              time.Duration
		requests, aborted int64
	}{{0, 0, 2}, {5 * time.Second, 2, 0}} {
		srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) { time.Sleep(300 * time.Millisecond) })
		p := Plan{Host: srv.URL, Duration: ms(100), StopTimeout: c.stop, Load: Closed{Users: 2},
			Classes: []Class{{Name: "S", Weight: 1, Tasks: []Task{{Weight: 1, Do: get("/s", "")}}}}}
		s := stat(mustRun(t, context.Background(), p), "GET", "/s")
		if s.Requests != c.requests || s.Aborted != c.aborted {
			t.Errorf("StopTimeout %v: %d requests, %d aborted; want %d and %d", c.stop, s.Requests, s.Aborted, c.requests, c.aborted)
		}
	}
}

// Task errors are exceptions; ErrStopUser stops a user quietly, and its
// OnStop runs.
func TestExceptionsAndStopUser(t *testing.T) {
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {})
	var runs, stops atomic.Int64
	p := Plan{Host: srv.URL, Duration: ms(300), Load: Closed{Users: 3},
		Classes: []Class{{Name: "X", Weight: 1, Wait: Constant{ms(10)}, Sequential: true,
			OnStop: func(ctx context.Context, u *User) error {
				stops.Add(1)
				_, err := u.Get(ctx, "/logout", "")
				return err
			},
			Tasks: []Task{
				{Name: "boom", Weight: 1, Do: func(context.Context, *User) error { return errors.New("no slug captured") }},
				{Name: "quit", Weight: 1, Do: func(context.Context, *User) error { runs.Add(1); return ErrStopUser }},
			}}}}
	res := mustRun(t, context.Background(), p)
	if runs.Load() != 3 {
		t.Fatalf("ErrStopUser ran %d times for 3 users: the users did not stop", runs.Load())
	}
	if stops.Load() != 3 || stat(res, "GET", "/logout").Requests != 3 {
		t.Fatalf("OnStop ran %d times (%d logouts) for 3 stopped users", stops.Load(), stat(res, "GET", "/logout").Requests)
	}
	ex := res.Total.Exceptions
	if len(ex) != 1 || ex[0].Name != "X/boom" || ex[0].Error != "no slug captured" || ex[0].Method != "" || ex[0].Count != 3 {
		t.Fatalf("exceptions %+v", ex)
	}
	if last := res.Intervals[len(res.Intervals)-1]; last.Users != 0 {
		t.Fatalf("%d users still running after ErrStopUser", last.Users)
	}
}

// MaxRPS caps the whole run's request rate.
func TestMaxRPS(t *testing.T) {
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {})
	p := Plan{Host: srv.URL, Duration: ms(1000), Load: Closed{Users: 10}, MaxRPS: 100,
		Classes: []Class{{Name: "M", Weight: 1, Tasks: []Task{{Weight: 1, Do: get("/m", "")}}}}}
	n := stat(mustRun(t, context.Background(), p), "GET", "/m").Requests
	// 100 in 1 s, plus the limiter's initial slack of 10; the lower bound
	// only says the users were not starved.
	if n > 112 || n < 20 {
		t.Fatalf("%d requests in 1 s at MaxRPS 100", n)
	}
}

// The in-memory series stays within MaxIntervals whatever the run's
// length, and what it keeps merges to exactly what OnInterval saw.
func TestRunSeriesBounded(t *testing.T) {
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {})
	var streamed []*Interval
	p := Plan{Host: srv.URL, Duration: ms(600), Interval: ms(20), MaxIntervals: 4, Load: Closed{Users: 2},
		Classes:    []Class{{Name: "B", Weight: 1, Wait: Constant{ms(2)}, Tasks: []Task{{Weight: 1, Do: get("/b", "")}}}},
		OnInterval: func(iv *Interval) { streamed = append(streamed, iv) }}
	res := mustRun(t, context.Background(), p)
	if len(res.Intervals) > 5 || res.Width < 8 {
		t.Fatalf("%d intervals of width %d kept from %d streamed", len(res.Intervals), res.Width, len(streamed))
	}
	sameCounts(t, "kept vs streamed", Window(res.Intervals...), Window(streamed...))
	sameCounts(t, "total vs streamed", res.Total, Window(streamed...))
}

// An error that quotes a secret (a DSN's password, a bearer token) is
// kept redacted: what every output of the run shows is the redacted text.
func TestErrorsRedacted(t *testing.T) {
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {})
	p := Plan{Host: srv.URL, Duration: ms(200), Load: Closed{Users: 1},
		Classes: []Class{{Name: "X", Weight: 1, Wait: Constant{ms(10)},
			Tasks: []Task{{Name: "db", Weight: 1, Do: func(context.Context, *User) error {
				return errors.New("connect host=db password=pw-77e1 dbname=x: refused; Authorization: Bearer tk-9a0c")
			}}}}}}
	res := mustRun(t, context.Background(), p)
	ex := res.Total.Exceptions
	if len(ex) != 1 || ex[0].Error != "connect host=db password=REDACTED dbname=x: refused; Authorization: Bearer REDACTED" {
		t.Fatalf("exceptions %+v", ex)
	}
}

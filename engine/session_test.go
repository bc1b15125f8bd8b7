package engine

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// sessionService needs a login (cookie + bearer token), serves a list
// whose slugs a task captures, and answers a story by slug. It calls
// done, once, at the first /me, /trending or /stories/go-soak request by
// which it has had logins logins and at least one of each of those (an
// authorized /me, over HTTP/2 when h2); a nil done is never called.
func sessionService(t *testing.T, tlsOn, h2 bool, logins int64, done func()) (*httptest.Server, *atomic.Int64) {
	var protoHTTP2, loggedIn, me, trending, story atomic.Int64
	var once sync.Once
	check := func() {
		if done != nil && loggedIn.Load() >= logins && me.Load() > 0 && trending.Load() > 0 && story.Load() > 0 {
			once.Do(done)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Username string }
		if json.NewDecoder(r.Body).Decode(&in) != nil || in.Username == "" {
			http.Error(w, "bad login", 400)
			return
		}
		loggedIn.Add(1)
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s-" + in.Username, Path: "/"})
		json.NewEncoder(w).Encode(map[string]string{"token": "t-" + in.Username})
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("session")
		if err != nil || r.Header.Get("Authorization") != "Bearer t-"+c.Value[2:] || r.Header.Get("X-Client") != "soak" {
			http.Error(w, "unauthorized", 401)
			return
		}
		if r.ProtoMajor == 2 {
			protoHTTP2.Add(1)
		}
		if !h2 || r.ProtoMajor == 2 {
			me.Add(1)
		}
		check()
		fmt.Fprintf(w, `{"user":%q}`, c.Value[2:])
	})
	mux.HandleFunc("GET /trending", func(w http.ResponseWriter, r *http.Request) {
		trending.Add(1)
		check()
		w.Write([]byte(`{"stories":[{"slug":"go-soak"},{"slug":"leaks"}]}`))
	})
	mux.HandleFunc("GET /stories/{slug}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("slug") != "go-soak" {
			http.NotFound(w, r)
			return
		}
		story.Add(1)
		check()
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.EnableHTTP2 = h2
	if tlsOn {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, &protoHTTP2
}

func sessionClass() Class {
	return Class{Name: "Reader", Weight: 1, Header: http.Header{"X-Client": {"soak"}},
		OnStart: func(ctx context.Context, u *User) error {
			resp, err := u.PostJSON(ctx, "/login", "", map[string]string{"username": fmt.Sprint("user", u.ID)})
			if err != nil {
				return err
			}
			var out struct{ Token string }
			if err := resp.JSON(&out); err != nil {
				return err
			}
			u.Header.Set("Authorization", "Bearer "+out.Token)
			return nil
		},
		Tasks: []Task{
			{Weight: 1, Do: func(ctx context.Context, u *User) error {
				_, err := u.Do(ctx, &Request{Path: "/me", Check: ValidJSON})
				return err
			}},
			{Weight: 1, Do: func(ctx context.Context, u *User) error {
				resp, err := u.Get(ctx, "/trending", "")
				if err != nil {
					return err
				}
				var list struct{ Stories []struct{ Slug string } }
				if err := resp.JSON(&list); err != nil || len(list.Stories) == 0 {
					return fmt.Errorf("no slug captured: %v", err)
				}
				u.Vars["slug"] = list.Stories[0].Slug
				return nil
			}},
			{Weight: 1, Do: func(ctx context.Context, u *User) error {
				if u.Vars["slug"] == "" {
					return nil
				}
				_, err := u.Get(ctx, "/stories/"+u.Vars["slug"], "/stories/[slug]")
				return err
			}},
		}}
}

// A user is a session: its cookie jar, default headers (Authorization set
// after the login in OnStart) and variables (a captured slug) carry from
// request to request, with soak's client and with net/http, over TLS and
// HTTP/2.
//
// Each run ends gracefully (Plan.Stop, its requests in flight finishing)
// once the server has had every user's login and then every kind of
// request (at most 60 s): a fixed 400 ms run ended, on a loaded machine,
// before the three TLS handshakes and logins, or before a user had
// captured a slug.
func TestSessions(t *testing.T) {
	for _, c := range []struct {
		name      string
		tls, h2   bool
		transport Transport
		client    string
	}{
		{name: "h1"}, {name: "net/http", transport: Transport{Client: "net/http"}, client: "net/http"},
		{name: "tls", tls: true, client: "net/http"}, {name: "h2", tls: true, h2: true, transport: Transport{HTTP2: true}, client: "net/http"},
	} {
		t.Run(c.name, func(t *testing.T) {
			stop := make(chan struct{})
			srv, h2 := sessionService(t, c.tls, c.h2, 3, func() { close(stop) })
			tr := c.transport
			if c.tls {
				tr.TLS = srv.Client().Transport.(*http.Transport).TLSClientConfig
			}
			p := Plan{Host: srv.URL, Duration: time.Minute, Stop: stop, StopTimeout: time.Minute,
				Load: Closed{Users: 3}, Transport: tr, Classes: []Class{sessionClass()}}
			res := mustRun(t, context.Background(), p)
			if want := map[bool]string{false: "h1", true: "net/http"}[c.client != ""]; res.Transport != want {
				t.Fatalf("transport %q, want %q", res.Transport, want)
			}
			for _, name := range []string{"/login", "/me", "/trending", "/stories/[slug]"} {
				method := map[bool]string{true: "POST", false: "GET"}[name == "/login"]
				s := stat(res, method, name)
				if s.Requests == 0 || s.Failures() != 0 {
					t.Errorf("%s %s: %d requests, %d failures (%v)", method, name, s.Requests, s.Failures(), res.Total.Errors)
				}
			}
			if stat(res, "POST", "/login").Requests != 3 || len(res.Total.Exceptions) != 0 {
				t.Errorf("logins %d, exceptions %v", stat(res, "POST", "/login").Requests, res.Total.Exceptions)
			}
			if c.h2 && h2.Load() == 0 {
				t.Error("no request came over HTTP/2")
			}
		})
	}
}

// A TLS failure is a failure of kind tls, and a failed OnStart stops the
// user.
//
// The run ends at the first interval that ends with no user running after
// the login has failed (at most 60 s): a fixed 1.5 s run could end, on a
// loaded machine, before the TLS handshake did, aborting the login. A
// user wrongly kept running after its failed OnStart keeps the run to
// its 60 s, sending /me.
func TestTLSFailure(t *testing.T) {
	srv, _ := sessionService(t, true, false, 0, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var loginEnded atomic.Int64 // UnixNano when the user's OnStart returned
	cls := sessionClass()
	onStart := cls.OnStart
	cls.OnStart = func(ctx context.Context, u *User) error {
		defer func() { loginEnded.Store(time.Now().UnixNano()) }()
		return onStart(ctx, u)
	}
	p := Plan{Host: srv.URL, Duration: time.Minute, Interval: ms(50), Load: Closed{Users: 1}, Transport: Transport{TLS: &tls.Config{}},
		Classes: []Class{cls},
		OnInterval: func(iv *Interval) {
			if e := loginEnded.Load(); e != 0 && iv.Start.UnixNano() > e && iv.Users == 0 {
				cancel()
			}
		}}
	res := mustRun(t, ctx, p)
	s := stat(res, "POST", "/login")
	if s.Kinds[KindTLS] != 1 || s.Requests != 1 || stat(res, "GET", "/me").Requests != 0 {
		t.Fatalf("login %+v; errors %v", s, res.Total.Errors)
	}
}

// Plan.Handler is served in-process over loopback for the run.
func TestHandlerInProcess(t *testing.T) {
	p := Plan{Handler: okHandler(), Duration: ms(200), Load: Closed{Users: 2},
		Classes: []Class{{Name: "H", Weight: 1, Wait: Constant{ms(5)}, Tasks: []Task{{Weight: 1, Do: func(ctx context.Context, u *User) error {
			_, err := u.Do(ctx, &Request{Path: "/", Check: BodyContains("ok")})
			return err
		}}}}}}
	res := mustRun(t, context.Background(), p)
	if s := stat(res, "GET", "/"); s.Requests == 0 || s.Failures() != 0 || s.AvgBytes() != 2 {
		t.Fatalf("%+v", s)
	}
}

// Run returns only once Plan.Handler's calls have: a handler still
// running at the end of the run (its request cut off) finishes first, so
// that no goroutine of the run outlives it.
func TestHandlerReturnsBeforeRun(t *testing.T) {
	var started, returned atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started.Add(1)
		<-r.Context().Done() // the run's end closes the connection
		time.Sleep(50 * time.Millisecond)
		returned.Add(1)
	})
	p := Plan{Handler: h, Duration: ms(100), Load: Closed{Users: 2},
		Classes: []Class{{Name: "H", Weight: 1, Tasks: []Task{{Weight: 1, Do: get("/hang", "")}}}}}
	mustRun(t, context.Background(), p)
	if n, m := started.Load(), returned.Load(); n == 0 || m != n {
		t.Fatalf("%d handler calls started, %d returned before Run did", n, m)
	}
}

// A request that cannot be sent as written is the task's bug: an
// exception, not a failure of the service.
func TestBadRequestIsAnException(t *testing.T) {
	p := Plan{Handler: okHandler(), Duration: ms(100), Load: Closed{Users: 1},
		Classes: []Class{{Name: "B", Weight: 1, Wait: Constant{ms(10)}, Tasks: []Task{{Name: "nopath", Weight: 1, Do: get("no-slash", "")}}}}}
	res := mustRun(t, context.Background(), p)
	if len(res.Total.Stats) != 0 || len(res.Total.Exceptions) != 1 {
		t.Fatalf("stats %v exceptions %v", res.Total.Stats, res.Total.Exceptions)
	}
}

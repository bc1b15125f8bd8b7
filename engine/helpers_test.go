package engine

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/soaklab/soak/probe/label"
)

func okHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
}

// get is a task that GETs path, grouped under name.
func get(path, name string) TaskFunc {
	return func(ctx context.Context, u *User) error {
		_, err := u.Get(ctx, path, name)
		return err
	}
}

// seen records what a test server received: labels by user, paths.
type seen struct {
	mu       sync.Mutex
	users    map[string]map[string]bool // class -> user ids
	runs     map[string]bool
	requests map[string]int // request label -> count
	paths    map[string][]string
}

func newSeen() *seen {
	return &seen{users: map[string]map[string]bool{}, runs: map[string]bool{}, requests: map[string]int{}, paths: map[string][]string{}}
}

func (s *seen) note(r *http.Request) {
	l := label.Parse(r.Header)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users[l.Class] == nil {
		s.users[l.Class] = map[string]bool{}
	}
	s.users[l.Class][l.User] = true
	s.runs[l.Run] = true
	s.requests[l.Request]++
	s.paths[l.User] = append(s.paths[l.User], r.URL.Path)
}

// server starts an httptest server that notes every request into s and
// then calls h.
func server(t *testing.T, s *seen, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s != nil {
			s.note(r)
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func mustRun(t *testing.T, ctx context.Context, p Plan) *Result {
	t.Helper()
	res, err := Run(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// stat returns the whole run's Stat of (method, name), or a zero one.
func stat(res *Result, method, name string) Stat {
	if s := res.Total.Stat(method, name); s != nil {
		return *s
	}
	return Stat{Method: method, Name: name}
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

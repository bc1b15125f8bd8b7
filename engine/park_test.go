package engine

import (
	"bytes"
	"context"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// userGoroutines counts the goroutines running a closed-model user: its
// first one (userLoop) or one its timer started after a pause (run).
func userGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	n := 0
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("engine.(*User).run(")) || bytes.Contains(g, []byte("engine.(*runner).userLoop(")) {
			n++
		}
	}
	return n
}

// Users pausing between tasks hold no goroutine: 50 users with an hour
// of think time, once each has run its first task, leave none running.
// The Stop that follows ends them at once (the run lasts an hour
// otherwise), each with its OnStop.
func TestParkedUsersHoldNoGoroutine(t *testing.T) {
	const users = 50
	var served atomic.Int64
	all := make(chan struct{})
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {
		if served.Add(1) == users {
			close(all)
		}
	})
	stop := make(chan struct{})
	var left int
	go func() {
		defer close(stop)
		<-all
		// The last users may still be recording their request; a user
		// that holds its goroutine while it pauses never lets this end.
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
			if left = userGoroutines(); left == 0 || time.Now().After(deadline) {
				return
			}
		}
	}()
	var onStops atomic.Int64
	p := Plan{Host: srv.URL, Duration: time.Hour, Load: Closed{Users: users}, Stop: stop, StopTimeout: time.Minute,
		Classes: []Class{{Name: "P", Weight: 1, Wait: Constant{time.Hour},
			OnStop: func(context.Context, *User) error { onStops.Add(1); return nil },
			Tasks:  []Task{{Weight: 1, Do: get("/p", "")}}}}}
	res := mustRun(t, context.Background(), p)
	if left != 0 {
		t.Fatalf("%d of %d pausing users still hold a goroutine", left, users)
	}
	if n := stat(res, "GET", "/p").Requests; n != users || onStops.Load() != users || !res.Stopped {
		t.Fatalf("%d requests, %d OnStops, stopped %v; want %d, %d, true", n, onStops.Load(), res.Stopped, users, users)
	}
}

// A ramp down ends a pausing user at once, not after its pause: the
// second stage drops one of two users that think for an hour, and that
// user's OnStop stops the run (which otherwise lasts an hour). The
// user dropped is the last spawned, and no user starts a second task.
func TestRampDownEndsParkedUser(t *testing.T) {
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {})
	stop := make(chan struct{})
	var once sync.Once
	var mu sync.Mutex
	var ended []int
	p := Plan{Host: srv.URL, Duration: time.Hour + ms(300), Stop: stop, StopTimeout: time.Minute,
		Load: Closed{Stages: []Stage{{Duration: ms(300), Users: 2}, {Duration: time.Hour, Users: 1}}},
		Classes: []Class{{Name: "R", Weight: 1, Wait: Constant{time.Hour},
			OnStop: func(_ context.Context, u *User) error {
				mu.Lock()
				ended = append(ended, u.ID)
				mu.Unlock()
				once.Do(func() { close(stop) })
				return nil
			},
			Tasks: []Task{{Weight: 1, Do: get("/r", "")}}}}}
	res := mustRun(t, context.Background(), p)
	if len(ended) != 2 || ended[0] != 2 {
		t.Fatalf("users ended in order %v; want the ramp down's user 2 first, then user 1", ended)
	}
	if n := stat(res, "GET", "/r").Requests; n != 2 || !res.Stopped {
		t.Fatalf("%d requests, stopped %v; want 2, true", n, res.Stopped)
	}
}

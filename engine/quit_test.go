package engine

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Users whose OnStart fails, or whose task returns ErrStopUser, are
// quits: counted by class, hook and reason in Interval.Quits, beside the
// users started; users stopped by the load's end are not.
func TestQuitsAreCounted(t *testing.T) {
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/login" && r.URL.Query().Get("ok") == "no" {
			http.Error(w, "bad password", http.StatusUnauthorized)
		}
	})
	// The load stops once every login answered and the quitter ran, so
	// that no count depends on the machine's speed.
	var logins, quitters atomic.Int64
	stop := make(chan struct{})
	var once sync.Once
	done := func() {
		if logins.Load() == 9 && quitters.Load() == 1 {
			once.Do(func() { close(stop) })
		}
	}
	login := func(ctx context.Context, u *User) error {
		ok := "yes"
		if u.ID%5 < 2 { // IDs 5, 6 and 10 (the Quitter is 1)
			ok = "no"
		}
		_, err := u.Get(ctx, "/login?ok="+ok, "/login")
		logins.Add(1)
		done()
		return err
	}
	p := Plan{Host: srv.URL, Duration: time.Minute, StopTimeout: 10 * time.Second, Stop: stop, Load: Closed{Users: 10},
		Classes: []Class{
			{Name: "Reader", Weight: 1, Wait: Constant{ms(20)}, OnStart: login, Tasks: []Task{{Weight: 1, Do: get("/ok", "")}}},
			{Name: "Quitter", Fixed: 1, Tasks: []Task{{Name: "once", Weight: 1, Do: func(ctx context.Context, u *User) error {
				defer done()
				quitters.Add(1)
				return fmt.Errorf("out of rows: %w", ErrStopUser)
			}}}},
		}}
	res := mustRun(t, context.Background(), p)
	tot := res.Total
	if tot.Started != 10 {
		t.Errorf("started %d users, want 10", tot.Started)
	}
	byName := map[string]ErrorStat{}
	for _, q := range tot.Quits {
		byName[q.Name] = q
	}
	if q := byName["Reader/on_start"]; q.Count != 3 || !strings.Contains(q.Error, "GET /login: HTTP 401") || q.First.IsZero() {
		t.Errorf("on_start quits: %+v (want 3 of the 9 readers, the failed login named)", q)
	}
	if q := byName["Quitter/once"]; q.Count != 1 || !strings.Contains(q.Error, "out of rows") {
		t.Errorf("ErrStopUser quit: %+v", q)
	}
	if tot.UsersQuit() != 4 || len(tot.Exceptions) != 0 {
		t.Errorf("%d quits (want 4), exceptions %+v", tot.UsersQuit(), tot.Exceptions)
	}

	// Saved and read back, the quits are the same.
	var b strings.Builder
	w := NewIntervalWriter(&b)
	for _, iv := range res.Intervals {
		if err := w.Write(iv); err != nil {
			t.Fatal(err)
		}
	}
	ivs, err := ReadIntervals(strings.NewReader(b.String()), "intervals.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if back := NewResult(res.RunInfo, ivs, 0); back.Total.UsersQuit() != 4 || back.Total.Started != 10 {
		t.Errorf("read back: %d quits of %d started", back.Total.UsersQuit(), back.Total.Started)
	}
}

// A user ending with the load, in the middle of its OnStart, is not a
// quit.
func TestStopIsNotAQuit(t *testing.T) {
	release := make(chan struct{})
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) { <-release })
	defer close(release)
	p := Plan{Host: srv.URL, Duration: ms(200), Load: Closed{Users: 3}, StopTimeout: ms(10),
		Classes: []Class{{Name: "R", Weight: 1, OnStart: get("/login", ""), Tasks: []Task{{Weight: 1, Do: get("/ok", "")}}}}}
	res := mustRun(t, context.Background(), p)
	if n := res.Total.UsersQuit(); n != 0 {
		t.Errorf("%d quits: %+v", n, res.Total.Quits)
	}
	if a := stat(res, "GET", "/login").Aborted; a != 3 {
		t.Errorf("%d logins aborted at the stop, want 3", a)
	}
}

func TestMaxThroughput(t *testing.T) {
	task := func(req int) []Task { return []Task{{Weight: 1, Requests: req, Do: get("/", "")}} }
	cases := []struct {
		name string
		p    Plan
		want float64
		ok   bool
	}{
		{"10 users, 1 s pause, all at once", Plan{Duration: time.Minute, Load: Closed{Users: 10},
			Classes: []Class{{Name: "a", Weight: 1, Wait: Constant{time.Second}, Tasks: task(1)}}}, 10, true},
		{"spawned 1/s: users 0..9 start at 0..9 s", Plan{Duration: time.Minute, Load: Closed{Users: 10, SpawnRate: 1},
			Classes: []Class{{Name: "a", Weight: 1, Wait: Constant{time.Second}, Tasks: task(1)}}}, 555.0 / 60, true},
		{"between 1s 3s, 2 requests per task", Plan{Duration: time.Minute, Load: Closed{Users: 10},
			Classes: []Class{{Name: "a", Weight: 1, Wait: Between{time.Second, 3 * time.Second}, Tasks: task(2)}}}, 10, true},
		{"two classes 3:1, pacing and throughput", Plan{Duration: time.Minute, Load: Closed{Users: 4},
			Classes: []Class{{Name: "a", Weight: 3, Wait: ConstantPacing{time.Second}, Tasks: task(1)},
				{Name: "b", Weight: 1, Wait: ConstantThroughput{PerSecond: 4}, Tasks: task(1)}}}, 3 + 4, true},
		{"capped by MaxRPS", Plan{Duration: time.Minute, MaxRPS: 2, Load: Closed{Users: 10},
			Classes: []Class{{Name: "a", Weight: 1, Wait: Constant{time.Second}, Tasks: task(1)}}}, 2, true},
		{"stages 30s:10, 30s:20", Plan{Load: Closed{Stages: []Stage{{30 * time.Second, 10}, {30 * time.Second, 20}}},
			Classes: []Class{{Name: "a", Weight: 1, Wait: Constant{time.Second}, Tasks: task(1)}}}, 15, true},
		{"ramp-down of 10 s", Plan{Duration: 50 * time.Second, Load: Closed{Users: 10, RampDown: 10 * time.Second},
			Classes: []Class{{Name: "a", Weight: 1, Wait: Constant{time.Second}, Tasks: task(1)}}}, (500 + 45) / 60.0, true},
		{"open: 5/s of 2 requests", Plan{Duration: time.Minute, Load: Open{Rate: 5},
			Classes: []Class{{Name: "a", Weight: 1, Tasks: task(2)}}}, 10, true},
		{"open stages", Plan{Load: Open{Stages: []RateStage{{30 * time.Second, 10}, {30 * time.Second, 20}}},
			Classes: []Class{{Name: "a", Weight: 1, Tasks: task(1)}}}, 15, true},
		{"no pause: no bound", Plan{Duration: time.Minute, Load: Closed{Users: 10},
			Classes: []Class{{Name: "a", Weight: 1, Tasks: task(1)}}}, 0, false},
		{"requests unknown: no bound", Plan{Duration: time.Minute, Load: Closed{Users: 10},
			Classes: []Class{{Name: "a", Weight: 1, Wait: Constant{time.Second}, Tasks: task(0)}}}, 0, false},
		{"a class without users does not count", Plan{Duration: time.Minute, Load: Closed{Users: 10},
			Classes: []Class{{Name: "a", Weight: 1, Wait: Constant{time.Second}, Tasks: task(1)}, {Name: "b", Tasks: task(0)}}}, 10, true},
	}
	for _, tc := range cases {
		got, ok := tc.p.MaxThroughput()
		if ok != tc.ok || (ok && (got < tc.want*0.999 || got > tc.want*1.001)) {
			t.Errorf("%s: %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

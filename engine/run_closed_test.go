package engine

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var seedClasses = []struct {
	name   string
	weight int
	want   int // of 200
}{{"AuthenticatedUser", 70, 140}, {"UnauthenticatedUser", 25, 50}, {"WriterUser", 4, 8}, {"HealthCheckUser", 1, 2}}

func seedPlan(host string) Plan {
	p := Plan{Host: host, Duration: ms(800), Interval: ms(100), Load: Closed{Users: 200}}
	for _, c := range seedClasses {
		p.Classes = append(p.Classes, Class{Name: c.name, Weight: c.weight, Wait: Constant{D: ms(50)},
			Tasks: []Task{{Weight: 1, Do: get("/"+c.name, "")}}})
	}
	return p
}

// The seed's 200 users at 70/25/4/1 are exactly 140/50/8/2, and every
// request carries the run, class, user and request labels.
//
// The run ends once the server has seen all 200 users and 500 ms more
// (at most 60 s), not after a fixed time: on a loaded machine spawning
// 200 users and their first requests can take longer than any short
// fixed run, which then judged an interval of the ramp.
func TestClassCountsExact(t *testing.T) {
	s := newSeen()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	srv := server(t, s, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		n := 0
		for _, users := range s.users {
			n += len(users)
		}
		s.mu.Unlock()
		if n >= 200 {
			once.Do(func() { time.AfterFunc(500*time.Millisecond, cancel) })
		}
	})
	p := seedPlan(srv.URL)
	p.RunID = "seed-run-1"
	p.Duration = time.Minute
	res := mustRun(t, ctx, p)
	srv.Close() // waits for the handlers: s is complete
	if res.PeakUsers != 200 {
		t.Fatalf("peak users %d, want 200", res.PeakUsers)
	}
	// An interval ending with 200 users between two others that did:
	// no user was starting or stopping while it read the per-class
	// counts (the last spawn, or the stop, could be mid-way in the first
	// or last of them).
	var steady *Interval
	for i := 1; i+1 < len(res.Intervals); i++ {
		if res.Intervals[i-1].Users == 200 && res.Intervals[i].Users == 200 && res.Intervals[i+1].Users == 200 {
			steady = res.Intervals[i]
			break
		}
	}
	if steady == nil {
		t.Fatal("no three intervals in a row ended with 200 users running")
	}
	for _, c := range seedClasses {
		if got := steady.Classes[c.name]; got != c.want {
			t.Errorf("%s: %d users in interval %d, want %d", c.name, got, steady.Seq, c.want)
		}
		if got := len(s.users[c.name]); got != c.want {
			t.Errorf("%s: the server saw %d distinct user labels, want %d", c.name, got, c.want)
		}
		if s.requests["/"+c.name] == 0 || int64(s.requests["/"+c.name]) < stat(res, "GET", "/"+c.name).Requests {
			t.Errorf("%s: request label seen %d times, engine recorded %d", c.name, s.requests["/"+c.name], stat(res, "GET", "/"+c.name).Requests)
		}
	}
	if len(s.runs) != 1 || !s.runs["seed-run-1"] {
		t.Errorf("run labels seen: %v", s.runs)
	}
	ids := map[string]bool{}
	for _, users := range s.users {
		for id := range users {
			if n, err := strconv.Atoi(id); err != nil || n < 1 || n > 200 || ids[id] {
				t.Fatalf("bad or repeated user label %q", id)
			}
			ids[id] = true
		}
	}
}

// Stepping 200 -> 100 -> 20 users removes users proportionally: the mix
// stays within one user of its quota, exactly 70/25/4/1 at 100. The
// intervals are chosen by the users they report, not by the wall clock,
// so a loaded machine that spawns or stops users late cannot pick an
// interval of the wrong stage.
func TestRampDownKeepsMix(t *testing.T) {
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {})
	p := seedPlan(srv.URL)
	p.Duration = 0
	p.Load = Closed{Stages: []Stage{{ms(800), 200}, {ms(800), 100}, {ms(800), 20}}}
	res := mustRun(t, context.Background(), p)
	for i, want := range []int{200, 100, 20} {
		seen := 0
		for _, iv := range res.Intervals {
			total := 0
			for _, c := range seedClasses {
				total += iv.Classes[c.name]
			}
			if iv.Users != want || total != want {
				continue // between stages: users still starting or stopping
			}
			seen++
			for _, c := range seedClasses {
				n := iv.Classes[c.name]
				quota := float64(want*c.weight) / 100
				if float64(n) <= quota-1 || float64(n) >= quota+1 {
					t.Errorf("stage %d (%d users), interval %d: %s has %d, quota %.2f", i, want, iv.Seq, c.name, n, quota)
				}
				if want == 100 && n != c.weight {
					t.Errorf("at 100 users, interval %d: %s has %d, want %d", iv.Seq, c.name, n, c.weight)
				}
			}
		}
		if seen == 0 {
			t.Errorf("stage %d: no interval ended with %d users running", i, want)
		}
	}
}

func TestFixedClasses(t *testing.T) {
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {})
	p := Plan{Host: srv.URL, Duration: ms(500), Interval: ms(100), Load: Closed{Users: 10},
		Classes: []Class{
			{Name: "Admin", Fixed: 3, Wait: Constant{ms(20)}, Tasks: []Task{{Weight: 1, Do: get("/a", "")}}},
			{Name: "Reader", Weight: 1, Wait: Constant{ms(20)}, Tasks: []Task{{Weight: 1, Do: get("/r", "")}}},
		}}
	res := mustRun(t, context.Background(), p)
	iv := res.Intervals[len(res.Intervals)/2]
	if iv.Classes["Admin"] != 3 || iv.Classes["Reader"] != 7 {
		t.Fatalf("classes %v, want Admin 3 Reader 7", iv.Classes)
	}
}

// Task weights are honoured, and sequential classes run their tasks in
// order, each Weight times.
func TestTaskWeightsAndSequence(t *testing.T) {
	s := newSeen()
	// The run ends once the server has answered 500 of the Rand class's
	// requests (at most 60 s), not after a fixed time that a loaded
	// machine may fill with too few requests to judge.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var rand atomic.Int64
	srv := server(t, s, func(w http.ResponseWriter, r *http.Request) {
		if (r.URL.Path == "/three" || r.URL.Path == "/one") && rand.Add(1) == 500 {
			cancel()
		}
	})
	p := Plan{Host: srv.URL, Duration: time.Minute, Load: Closed{Users: 4},
		Classes: []Class{
			{Name: "Rand", Weight: 1, Tasks: []Task{{Weight: 3, Do: get("/three", "")}, {Weight: 1, Do: get("/one", "")}, {Weight: 0, Do: get("/never", "")}}},
			{Name: "Seq", Weight: 1, Sequential: true, Tasks: []Task{{Weight: 2, Do: get("/a", "")}, {Weight: 1, Do: get("/b", "")}}},
		}}
	res := mustRun(t, ctx, p)
	srv.Close()
	three, one := stat(res, "GET", "/three").Requests, stat(res, "GET", "/one").Requests
	if n := three + one; n < 400 {
		t.Fatalf("only %d requests: too few to judge weights", n)
	}
	// The share of weight 3 of 4 is 0.75, within 5 standard deviations of
	// a binomial draw of n picks.
	n := float64(three + one)
	if share, sd := float64(three)/n, math.Sqrt(0.75*0.25/n); math.Abs(share-0.75) > 5*sd {
		t.Errorf("weights 3:1 gave %d:%d (share %.3f, want 0.75 +- %.3f)", three, one, share, 5*sd)
	}
	if stat(res, "GET", "/never").Requests != 0 {
		t.Error("a task of weight 0 ran")
	}
	for user, paths := range s.paths {
		if len(paths) == 0 || (paths[0] != "/a" && paths[0] != "/three" && paths[0] != "/one") {
			continue
		}
		if paths[0] != "/a" {
			continue // a Rand user
		}
		for i, p := range paths {
			want := "/a"
			if i%3 == 2 {
				want = "/b"
			}
			if p != want {
				t.Fatalf("sequential user %s: request %d was %s, want %s (%v)", user, i, p, want, paths[:min(len(paths), 9)])
			}
		}
	}
}

// Pacing: the counts stay within bounds computed from the model. Users
// can only fall behind a pace, never run ahead of it.
func TestPacing(t *testing.T) {
	for _, w := range []Wait{ConstantPacing{Every: ms(100)}, ConstantThroughput{PerSecond: 10}, Constant{D: ms(100)}} {
		srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {})
		p := Plan{Host: srv.URL, Duration: ms(1000), Load: Closed{Users: 5},
			Classes: []Class{{Name: "P", Weight: 1, Wait: w, Tasks: []Task{{Weight: 1, Do: get("/p", "")}}}}}
		n := stat(mustRun(t, context.Background(), p), "GET", "/p").Requests
		// At most one task every 100 ms per user: tasks at 0, 100, ..., 900 ms.
		if n > 5*11 || n < 10 {
			t.Errorf("%#v: %d tasks by 5 users in 1 s, want about 50 and at most 55", w, n)
		}
	}
}

// Users that start at SpawnRate reach the target count; the run's
// intervals see them rise.
func TestSpawnRate(t *testing.T) {
	srv := server(t, nil, func(w http.ResponseWriter, r *http.Request) {})
	p := Plan{Host: srv.URL, Duration: ms(1200), Interval: ms(100), Load: Closed{Users: 20, SpawnRate: 40},
		Classes: []Class{{Name: "S", Weight: 1, Wait: Constant{ms(10)}, Tasks: []Task{{Weight: 1, Do: get("/s", "")}}}}}
	res := mustRun(t, context.Background(), p)
	first, last := res.Intervals[0], res.Intervals[0]
	for _, iv := range res.Intervals {
		if iv.End.Sub(res.Start) <= ms(1000) { // 500 ms after the ramp, before the end
			last = iv
		}
	}
	if first.Users >= 20 || last.Users != 20 || res.PeakUsers != 20 {
		t.Fatalf("users first %d, near the end %d, peak %d; want a ramp to 20", first.Users, last.Users, res.PeakUsers)
	}
}

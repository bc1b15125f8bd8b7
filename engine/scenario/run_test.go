package scenario

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
)

// shop is a small service over real HTTP: a login issuing a token per
// user, a list, items that name their owner by the token, a create that
// answers 201, and a /bad that answers 200 with the wrong body.
type shop struct {
	mu      sync.Mutex
	logins  map[string]int
	logouts int
	denied  int // requests to /items without a valid token
}

func (s *shop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, authed := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer tok-")
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == "/login" && r.Method == "POST":
		var in struct{ User, Pass string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Pass != "pw-"+in.User {
			http.Error(w, `{"error":"bad login"}`, http.StatusUnauthorized)
			return
		}
		s.mu.Lock()
		s.logins[in.User]++
		s.mu.Unlock()
		_, _ = w.Write([]byte(`{"token":"tok-` + in.User + `"}`))
	case strings.HasPrefix(r.URL.Path, "/items"):
		if !authed {
			s.mu.Lock()
			s.denied++
			s.mu.Unlock()
			http.Error(w, `{"error":"no token"}`, http.StatusUnauthorized)
			return
		}
		if r.URL.Path == "/items" {
			_, _ = w.Write([]byte(`{"items":[{"id":"i1"},{"id":"i2"},{"id":"i3"}]}`))
			return
		}
		_, _ = w.Write([]byte(`{"id":"` + strings.TrimPrefix(r.URL.Path, "/items/") + `","owner":"` + user + `"}`))
	case r.URL.Path == "/logout" && authed:
		s.mu.Lock()
		s.logouts++
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/create" && r.Method == "POST":
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":"new"}`))
	case r.URL.Path == "/bad":
		_, _ = w.Write([]byte(`{"status":"wrong"}`))
	default:
		http.NotFound(w, r)
	}
}

const shopScenario = `
data:
  acc: {csv: acc.csv}
wait: 5ms
classes:
  - name: Member
    weight: 3
    headers:
      Authorization: Bearer {{token}}
    on_start:
      - post: /login
        json: {user: '{{acc.username}}', pass: '{{acc.password}}'}
        capture: {token: $.token}
    on_stop:
      - post: /logout
        status: 204
    tasks:
      - name: list and open
        steps:
          - get: /items
            capture: {item: '$.items[*].id'}
          - get: /items/{{item}}
            check:
              - json: $.owner
                equals: '{{acc.username}}'
              - json: $.id
                equals: '{{item}}'
      - post: /create
        json: {n: 1}
        status: 201
        check: [{contains: '"id"'}, {json: $.error, exists: false}]
  - name: Checker
    weight: 1
    tasks:
      - get: /bad
        check: [{json: $.status, equals: ok}]
      - get: /bad
        name: /bad-capture
        capture: {never: $.nothing}
      - get: /items/{{never}}
`

const shopAccounts = "username,password\nann,pw-ann\nbob,pw-bob\ncy,pw-cy\ndee,pw-dee\n"

// TestCapturesAndChecksOverHTTP runs a scenario against a real service
// on loopback: a login per user captures a token from CSV credentials,
// the token goes out as a templated default header, on_stop logs out, a random item id is
// captured and used in the next path, checks compare the response with
// the user's own CSV row, and failed checks, failed captures and unset
// variables are each recorded the way the engine reports them.
func TestCapturesAndChecksOverHTTP(t *testing.T) {
	svc := &shop{logins: map[string]int{}}
	s := mustLoad(t, shopScenario, map[string]string{"acc.csv": shopAccounts})
	plan, err := s.Plan(Options{Handler: svc, Load: engine.Closed{Users: 4}, Duration: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	plan.StopTimeout = 5 * time.Second // let users finish and run on_stop
	res, err := engine.Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	tot := res.Total
	members := 0
	for _, iv := range res.Intervals {
		members = max(members, iv.Classes["Member"])
	}
	if login := tot.Stat("POST", "/login"); login == nil || login.Successes() != int64(members) || members != 3 {
		t.Errorf("logins %+v, want one per Member (%d of 3)", login, members)
	}
	for user, n := range svc.logins {
		if n != 1 {
			t.Errorf("%s logged in %d times", user, n)
		}
	}
	if svc.logouts != members {
		t.Errorf("%d logouts (on_stop), want %d", svc.logouts, members)
	}
	if svc.denied != 0 {
		t.Errorf("%d item requests went out without a token", svc.denied)
	}
	for _, name := range []string{"/items", "/items/[item]"} {
		if st := tot.Stat("GET", name); st == nil || st.Successes() == 0 || st.Failures() != 0 {
			t.Errorf("GET %s: %+v", name, st)
		}
	}
	if st := tot.Stat("POST", "/create"); st == nil || st.Successes() == 0 || st.Failures() != 0 {
		t.Errorf("POST /create: %+v", st)
	}
	if st := tot.Stat("GET", "/bad"); st == nil || st.Requests == 0 || st.Kinds[engine.KindCheck] != st.Requests {
		t.Errorf("GET /bad: %+v, want every request failed as check", st)
	}
	wantErrs := map[string]bool{
		"GET /bad check failed: $.status has another value than expected":                                                            false,
		"GET /bad-capture check failed: capture never: $.nothing matched nothing":                                                    false,
		"Checker/GET /items/[never] scenario: classes[1].tasks[2]: path: {{never}}: variable not set yet (capture or vars: sets it)": false,
	}
	for _, e := range append(tot.Errors, tot.Exceptions...) {
		key := strings.TrimSpace(e.Method + " " + e.Name + " " + e.Error)
		if _, ok := wantErrs[key]; !ok {
			t.Errorf("unexpected error %q (%d)", key, e.Count)
		}
		wantErrs[key] = true
	}
	for k, seen := range wantErrs {
		if !seen {
			t.Errorf("missing error %q", k)
		}
	}
}

// TestPlanOptions checks that options override the scenario and that
// missing pieces are named.
func TestPlanOptions(t *testing.T) {
	s := mustLoad(t, "host: http://127.0.0.1:8000\nduration: 10m\nload: {users: 5}\nwait: 2s\nmax_rps: 50\n"+minimal, nil)
	p, err := s.Plan(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Host != "http://127.0.0.1:8000" || p.Duration != 10*time.Minute || p.MaxRPS != 50 || p.Classes[0].Wait != (engine.Constant{D: 2 * time.Second}) {
		t.Errorf("from the file: %+v", p)
	}
	p, err = s.Plan(Options{Host: "http://[::1]:9", Load: engine.Open{Rate: 3}, Duration: time.Minute, Wait: engine.Constant{}, MaxRPS: 7})
	if err != nil {
		t.Fatal(err)
	}
	if p.Host != "http://[::1]:9" || p.Load.(engine.Open).Rate != 3 || p.Duration != time.Minute || p.MaxRPS != 7 || p.Classes[0].Wait != (engine.Constant{}) {
		t.Errorf("overridden: %+v", p)
	}
	bare := mustLoad(t, minimal, nil)
	for _, tc := range []struct {
		opts Options
		want error
	}{
		{Options{Host: "http://127.0.0.1:1", Duration: time.Second}, ErrNoLoad},
		{Options{Load: loadOne, Duration: time.Second}, ErrNoHost},
		{Options{Host: "http://127.0.0.1:1", Load: loadOne}, ErrNoDuration},
	} {
		if _, err := bare.Plan(tc.opts); err != tc.want {
			t.Errorf("%+v: %v, want %v", tc.opts, err, tc.want)
		}
	}
	if _, err := bare.Plan(Options{Host: "http://example.com", Load: loadOne, Duration: time.Second}); err == nil || !strings.Contains(err.Error(), "not loopback") {
		t.Errorf("remote host: %v", err)
	}
	// Exported fields changed in Go are validated with their YAML names.
	bare.Load = engine.Closed{Stages: []engine.Stage{{Duration: time.Minute, Users: -5}}}
	if err := bare.Validate(); err == nil || err.Error() != "s.yaml: load.stages[0].users: negative (-5)" {
		t.Errorf("Validate: %v", err)
	}
	bare.Load, bare.MaxRPS = nil, -1
	if err := bare.Validate(); err == nil || err.Error() != "s.yaml: max_rps: -1 is not a rate >= 0" {
		t.Errorf("Validate: %v", err)
	}
}

// A scenario's tasks say how many requests they send, so the plan can
// bound its throughput: the seed's 200 users with 1-3 s pauses, spawned
// at 20/s over 30 minutes, send at most about 122 requests per second
// (some tasks are two requests), above the seed's > 100 RPS target; with
// one request per task it would be below.
func TestPlanBoundsThroughput(t *testing.T) {
	s, err := Load("../../docs/scenarios/seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Plan(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range p.Classes {
		for _, task := range c.Tasks {
			if task.Requests < 1 {
				t.Errorf("%s/%s: Requests %d", c.Name, task.Name, task.Requests)
			}
		}
	}
	rps, ok := p.MaxThroughput()
	if !ok || rps < 115 || rps > 130 {
		t.Errorf("seed plan bound: %.1f, %v", rps, ok)
	}
	t.Logf("the seed plan sends at most %.1f requests/s", rps)
}

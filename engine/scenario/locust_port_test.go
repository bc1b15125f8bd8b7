package scenario

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
)

// sessions is a service whose logins expire: a token is good for
// sessionUses requests, then answers 401, as a service with short
// sessions does under a long soak. It checks what a ported locustfile
// builds: user0042-style names, story-0042-style slugs, and a comment of
// a phrase repeated 40 times.
type sessions struct {
	mu      sync.Mutex
	next    int
	tokens  map[string]*session // by token
	logins  map[string]int      // by user name
	expired map[string]int      // 401s by user name
	bad     []string            // requests built wrong
}

// session is a login: its user, and the requests it has left.
type session struct {
	user string
	uses int
}

const sessionUses = 2

var (
	userName  = regexp.MustCompile(`^user\d{4}$`)
	storySlug = regexp.MustCompile(`^/stories/story-\d{4}$`)
	comment   = strings.Repeat("so good! ", 40)
)

func (s *sessions) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/login" {
		var in struct{ Username, Password string }
		if json.NewDecoder(r.Body).Decode(&in) != nil || !userName.MatchString(in.Username) || in.Password != "pw" {
			s.bad = append(s.bad, "login "+in.Username)
			http.Error(w, `{}`, http.StatusBadRequest)
			return
		}
		s.next++
		tok := "t" + strconv.Itoa(s.next)
		s.tokens[tok] = &session{user: in.Username, uses: sessionUses}
		s.logins[in.Username]++
		_, _ = w.Write([]byte(`{"token":"` + tok + `"}`))
		return
	}
	if r.URL.Path == "/health" {
		_, _ = w.Write([]byte(`{"status":"ok"}`))
		return
	}
	ses := s.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	if ses == nil {
		s.bad = append(s.bad, "no session: "+r.URL.Path)
		http.Error(w, `{}`, http.StatusForbidden)
		return
	}
	if ses.uses == 0 {
		s.expired[ses.user]++
		http.Error(w, `{"error":"session expired"}`, http.StatusUnauthorized)
		return
	}
	ses.uses--
	switch {
	case r.Method == http.MethodGet && storySlug.MatchString(r.URL.Path):
		_, _ = w.Write([]byte(`{"slug":"` + strings.TrimPrefix(r.URL.Path, "/stories/") + `"}`))
	case r.Method == http.MethodPost && r.URL.Path == "/comments":
		var in struct{ Text string }
		if json.NewDecoder(r.Body).Decode(&in) != nil || in.Text != comment {
			s.bad = append(s.bad, "comment")
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{}`))
	default:
		s.bad = append(s.bad, r.Method+" "+r.URL.Path)
		http.NotFound(w, r)
	}
}

// locustPort is a locustfile ported to a scenario: its users log in as
// "user%04d" % n, read "story-%04d" % random.randint(1, 500), post
// "so good! " * 40, and log in again when a request answers 401 (the
// locustfile's ensure_login), once per expiry.
const locustPort = `
wait: between 1ms 3ms
classes:
  - name: Reader
    weight: 3
    vars:
      username: '{{printf("user%04d", user.id)}}'
    headers:
      Authorization: Bearer {{token}}
    on_start:
      - post: /login
        json: {username: '{{username}}', password: pw}
        capture: {token: $.token}
    retry:
      status: 401
    tasks:
      - get: '/stories/{{printf("story-%04d", random_int(1, 500))}}'
        name: /stories/[slug]
        weight: 2
      - post: /comments
        json: {text: '{{repeat("so good! ", 40)}}'}
        status: 201
  - name: Probe
    weight: 1
    tasks:
      - get: /health
`

// TestLocustPortRelogsOnExpiredSessions runs the port against the
// service whose sessions expire: every request is built as the
// locustfile builds it, every 401 is followed by one login of that user
// and one retry that succeeds, and the 401s are recorded as failures.
func TestLocustPortRelogsOnExpiredSessions(t *testing.T) {
	svc := &sessions{tokens: map[string]*session{}, logins: map[string]int{}, expired: map[string]int{}}
	s := mustLoad(t, locustPort, nil)
	plan, err := s.Plan(Options{Handler: svc, Load: engine.Closed{Users: 4}, Duration: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	plan.StopTimeout = 10 * time.Second // a task in flight at the end finishes its retry
	res, err := engine.Run(context.Background(), plan)
	if err != nil {
		t.Fatal(err)
	}
	svc.mu.Lock()
	defer svc.mu.Unlock()
	if len(svc.bad) > 0 {
		t.Errorf("requests built wrong: %q", svc.bad[:min(len(svc.bad), 5)])
	}
	if len(svc.logins) != 3 {
		t.Errorf("logins by %v, want the 3 Readers user0001..user0004", svc.logins)
	}
	expired := 0
	for user, n := range svc.logins {
		if n != 1+svc.expired[user] {
			t.Errorf("%s: %d logins for %d expired sessions; want one login each, and the first", user, n, svc.expired[user])
		}
		expired += svc.expired[user]
	}
	if expired == 0 {
		t.Fatal("no session expired: the run did not exercise the retry")
	}
	var failed401 int64
	for _, name := range []string{"/stories/[slug]", "/comments"} {
		method := map[string]string{"/stories/[slug]": "GET", "/comments": "POST"}[name]
		if st := res.Total.Stat(method, name); st != nil {
			failed401 += st.Kinds[engine.KindStatus4xx]
		}
	}
	if failed401 != int64(expired) {
		t.Errorf("%d 401s recorded as failures, the service sent %d", failed401, expired)
	}
	if login := res.Total.Stat("POST", "/login"); login == nil || login.Successes() != int64(3+expired) || login.Failures() != 0 {
		t.Errorf("POST /login %+v, want %d successes", login, 3+expired)
	}
	// The classes declare what their tasks request, for the report's top
	// table: the login, sent from on_start, is not among them.
	want := []engine.Endpoint{{Method: "GET", Name: "/stories/[slug]"}, {Method: "POST", Name: "/comments"}}
	if got := res.Classes[0].Endpoints; !slices.Equal(got, want) {
		t.Errorf("Reader's endpoints %v, want %v", got, want)
	}
}

func TestRetryProblems(t *testing.T) {
	for src, want := range map[string]string{
		"classes:\n  - name: A\n    retry: {status: 200}\n    on_start: [{post: /login}]\n    tasks: [{get: /x}]\n":                                          "s.yaml:3:21: classes[0].retry.status: 200 is not a failure; a retry answers a status of 400-599, such as 401",
		"classes:\n  - name: A\n    retry: {run: on_start}\n    on_start: [{post: /login}]\n    tasks: [{get: /x}]\n":                                        "s.yaml:3:13: classes[0].retry: no status: give the statuses that trigger the retry, such as status: 401",
		"classes:\n  - name: A\n    retry: {status: 401}\n    tasks: [{get: /x}]\n":                                                                          "s.yaml:3:13: classes[0].retry.run: on_start (the default) is empty in this class: give the requests to run before the retry",
		"classes:\n  - name: A\n    retry: {status: 401, run: login}\n    tasks: [{get: /x}]\n":                                                              `s.yaml:3:31: classes[0].retry.run: "login": write on_start (the class's on_start again) or a list of requests`,
		"classes:\n  - name: A\n    retry: {status: 401, run: [{post: /login, capture: {tok: $.t}}]}\n    headers: {A: '{{tok}}'}\n    tasks: [{get: /x}]\n": "",
	} {
		_, err := Parse("s.yaml", []byte(src))
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", src, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s:\n got %v\nwant %s", src, err, want)
		}
	}
}

package scenario

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

func TestRenderEscaping(t *testing.T) {
	s := mustLoad(t, `
classes:
  - name: A
    vars:
      v: 'a b/c?d&e=f "q" +'
    tasks:
      - post: /s/{{v}}
        query: {q: '{{v}}', 'k&': lit}
        headers: {X-V: '{{v}}'}
        json: {text: '{{v}} and "{{user.class}}"', n: 3, ok: true, none: null, list: ['{{user.id}}', 2]}
`, nil)
	u := testUser(7, "A")
	u.Vars["v"] = `a b/c?d&e=f "q" +`
	f := newRenderFixture(t, s, 0, u)
	q := f.render(t, 0, 0)
	if want := `/s/a%20b/c%3Fd&e=f%20%22q%22%20+?q=a%20b%2Fc%3Fd%26e%3Df%20%22q%22%20%2B&k%26=lit`; q.Path != want {
		t.Errorf("path\n got %s\nwant %s", q.Path, want)
	}
	if got := q.Header.Get("X-V"); got != u.Vars["v"] {
		t.Errorf("header %q", got)
	}
	if q.Name != "/s/[v]" || q.Method != "POST" {
		t.Errorf("name %q method %q", q.Name, q.Method)
	}
	if ct := q.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
	var body map[string]any
	if err := json.Unmarshal(q.Body, &body); err != nil {
		t.Fatalf("%v: %s", err, q.Body)
	}
	if body["text"] != u.Vars["v"]+` and "A"` || body["n"] != 3.0 || body["ok"] != true || body["none"] != nil {
		t.Errorf("body %s", q.Body)
	}
	if l := body["list"].([]any); l[0] != "7" || l[1] != 2.0 {
		t.Errorf("list %v", l)
	}
	if want := `{"text":"a b/c?d&e=f \"q\" + and \"A\"","n":3,"ok":true,"none":null,"list":["7",2]}`; string(q.Body) != want {
		t.Errorf("body\n got %s\nwant %s", q.Body, want)
	}
}

func TestRenderDefaultHeaders(t *testing.T) {
	s := mustLoad(t, `
headers:
  Accept: application/json
  X-Who: 'user {{user.id}}'
classes:
  - name: A
    headers:
      Authorization: Bearer {{token}}
      accept: text/plain
    tasks:
      - get: /x
        capture: {token: $.token}
        headers: {X-Step: one}
`, nil)
	u := testUser(3, "A")
	f := newRenderFixture(t, s, 0, u)
	q := f.render(t, 0, 0)
	if _, set := q.Header["Authorization"]; set {
		t.Errorf("Authorization sent before token is set: %v", q.Header)
	}
	if q.Header.Get("X-Who") != "user 3" || q.Header.Get("X-Step") != "one" {
		t.Errorf("headers %v", q.Header)
	}
	p, err := s.Plan(Options{Host: "http://127.0.0.1:1", Load: loadOne, Duration: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Static defaults go to the engine class, the class's value winning.
	if got := p.Classes[0].Header; got.Get("Accept") != "text/plain" || len(got) != 1 {
		t.Errorf("class header %v", got)
	}
	u.Vars["token"] = "tok1"
	q = f.render(t, 0, 0)
	if q.Header.Get("Authorization") != "Bearer tok1" {
		t.Errorf("Authorization %q", q.Header.Get("Authorization"))
	}
	first := q.Header["Authorization"]
	q = f.render(t, 0, 0)
	if &q.Header["Authorization"][0] != &first[0] {
		t.Error("header slot not reused")
	}
}

func TestRenderBuiltins(t *testing.T) {
	s := mustLoad(t, `
classes:
  - name: Reader
    tasks:
      - get: '/b/{{user.id}}/{{user.class}}/{{uuid}}/{{uuid()}}/{{random_int(-2, 2)}}'
`, nil)
	f := newRenderFixture(t, s, 0, testUser(12, "Reader"))
	re := regexp.MustCompile(`^/b/12/Reader/([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})/([0-9a-f-]{36})/(-?\d)$`)
	seen := map[string]bool{}
	uuids := map[string]bool{}
	for range 400 {
		m := re.FindStringSubmatch(f.render(t, 0, 0).Path)
		if m == nil {
			t.Fatalf("path %q", f.st.req.Path)
		}
		uuids[m[1]], uuids[m[2]] = true, true
		seen[m[3]] = true
	}
	if len(seen) != 5 {
		t.Errorf("random_int(-2, 2) gave %v, want all of -2..2", seen)
	}
	if len(uuids) != 800 {
		t.Errorf("%d distinct uuids of 800", len(uuids))
	}
}

func TestRenderUnsetVariable(t *testing.T) {
	s := mustLoad(t, "classes:\n  - name: A\n    tasks:\n      - get: '/x/{{slug}}'\n      - get: /y\n        capture: {slug: $.s}\n", nil)
	f := newRenderFixture(t, s, 0, testUser(1, "A"))
	err := f.st.render(f.st.cls.tasks[0][0])
	if err == nil || err.Error() != "scenario: classes[0].tasks[0]: path: {{slug}}: variable not set yet (capture or vars: sets it)" {
		t.Errorf("err = %v", err)
	}
}

// A top-level default header may use a variable that only some classes
// set; the others never send it.
func TestRenderTopLevelHeaderVariable(t *testing.T) {
	s := mustLoad(t, `
headers: {Authorization: 'Bearer {{token}}'}
classes:
  - name: Member
    on_start: [{post: /login, capture: {token: $.token}}]
    tasks: [{get: /x}]
  - name: Guest
    tasks: [{get: /x}]
`, nil)
	u := testUser(1, "Guest")
	f := newRenderFixture(t, s, 1, u)
	if q := f.render(t, 0, 0); len(q.Header) != 0 {
		t.Errorf("guest headers %v", q.Header)
	}
	if _, err := Parse("t.yaml", []byte("headers: {X: '{{tokn}}'}\nclasses:\n  - {name: A, tasks: [{get: /x, capture: {token: $.t}}]}\n")); err == nil ||
		!strings.Contains(err.Error(), `headers.X: {{tokn}}: unknown variable; did you mean "token"?`) {
		t.Errorf("typo: %v", err)
	}
}

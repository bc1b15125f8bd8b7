package scenario

import (
	"context"
	"strings"
	"testing"

	"github.com/soaklab/soak/engine"
)

func TestChecks(t *testing.T) {
	s := mustLoad(t, `
classes:
  - name: A
    vars: {me: ann}
    tasks:
      - get: /x
        check:
          - json: $.name
            equals: '{{me}}'
          - json: $.n
            equals: 3
          - json: $.ok
            equals: true
          - json: $.none
            equals: null
          - json: $.list[1]
          - json: $.error
            exists: false
          - contains: '"list"'
`, nil)
	u := testUser(1, "A")
	u.Vars["me"] = "ann"
	f := newRenderFixture(t, s, 0, u)
	f.render(t, 0, 0)
	f.st.step = f.st.cls.tasks[0][0]
	good := `{"name": "a\u006en", "n": 3.0, "ok": true, "none": null, "list": [1, 2]}`
	if err := f.st.checkResponse(&engine.Response{Body: []byte(good)}); err != nil {
		t.Errorf("good body: %v", err)
	}
	for body, want := range map[string]string{
		`{"name": "bob", "n": 3, "ok": true, "none": null, "list": [1, 2]}`:              "$.name has another value than expected",
		`{"name": "ann", "n": "3", "ok": true, "none": null, "list": [1, 2]}`:            "$.n has another value than expected",
		`{"name": "ann", "n": 3, "ok": 1, "none": null, "list": [1, 2]}`:                 "$.ok has another value than expected",
		`{"name": "ann", "n": 3, "ok": true, "none": 0, "list": [1, 2]}`:                 "$.none has another value than expected",
		`{"name": "ann", "n": 3, "ok": true, "none": null, "list": [1]}`:                 "$.list[1] is missing",
		`{"name": "ann", "n": 3, "ok": true, "none": null, "list": [1, 2], "error": ""}`: "$.error is present",
		`{"name": "ann", "n": 3, "ok": true, "none": null, "lst": [1, 2]}`:               "$.list[1] is missing",
		`not json`: "$.name is missing",
	} {
		err := f.st.checkResponse(&engine.Response{Body: []byte(body)})
		if err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %s", body, err, want)
		}
	}
	if err := f.st.checkResponse(&engine.Response{Body: []byte(good), Truncated: true}); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated: %v", err)
	}
}

func TestVarsAtStart(t *testing.T) {
	s := mustLoad(t, `
data:
  w: {pick: [x, y, z], order: per_user}
classes:
  - name: A
    vars:
      word: '{{w}}'
      tag: 'u{{user.id}}-{{word}}'
      lucky: {pick: [seven], order: random}
    tasks:
      - get: '/{{tag}}/{{lucky}}'
`, nil)
	c := mustCompile(t, s)
	u := testUser(2, "A")
	if err := c.start(c.classes[0])(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	if u.Vars["word"] != "y" || u.Vars["tag"] != "u2-y" || u.Vars["lucky"] != "seven" {
		t.Errorf("vars %v", u.Vars)
	}
	st := c.state(c.classes[0], u)
	if u.State != st {
		t.Fatalf("the state OnStart made is not kept in engine.User.State (%T)", u.State)
	}
	if err := st.render(st.cls.tasks[0][0]); err != nil || st.req.Path != "/u2-y/seven" {
		t.Errorf("path %q: %v", st.req.Path, err)
	}
	if err := c.stop(c.classes[0])(context.Background(), u); err != nil {
		t.Fatal(err)
	}
}

func TestMethodsAndBodies(t *testing.T) {
	s := mustLoad(t, `
classes:
  - name: A
    sequential: true
    tasks:
      - {put: /a, body: 'raw {{user.id}}', headers: {Content-Type: text/plain}}
      - {patch: /b, json: [1, '{{user.class}}'], headers: {Content-Type: application/merge-patch+json}}
      - {delete: /c}
      - {head: /d}
      - {options: /e}
      - {method: purge, path: /f}
`, nil)
	f := newRenderFixture(t, s, 0, testUser(4, "A"))
	for i, want := range []struct{ method, body, ct string }{
		{"PUT", "raw 4", "text/plain"}, {"PATCH", `[1,"A"]`, "application/merge-patch+json"},
		{"DELETE", "", ""}, {"HEAD", "", ""}, {"OPTIONS", "", ""}, {"PURGE", "", ""},
	} {
		q := f.render(t, i, 0)
		if q.Method != want.method || string(q.Body) != want.body || q.Header.Get("Content-Type") != want.ct {
			t.Errorf("task %d: %s %q %q", i, q.Method, q.Body, q.Header.Get("Content-Type"))
		}
	}
	p, err := s.Plan(Options{Host: "http://127.0.0.1:1", Load: loadOne, Duration: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Classes[0].Sequential || p.Classes[0].Tasks[5].Name != "PURGE /f" {
		t.Errorf("class %+v", p.Classes[0])
	}
}

func TestQuick(t *testing.T) {
	s, err := Quick("http://127.0.0.1:8080/health", "/api/items?page=2", "/items/{{random_int(1, 3)}}")
	if err != nil {
		t.Fatal(err)
	}
	if s.Host != "http://127.0.0.1:8080" || s.Load != nil {
		t.Errorf("host %q load %v", s.Host, s.Load)
	}
	p, err := s.Plan(Options{Load: loadOne, Duration: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := p.Classes[0]
	if c.Name != QuickClass || len(c.Tasks) != 3 || c.Tasks[1].Name != "GET /api/items?page=2" || c.Tasks[2].Name != "GET /items/[random_int(1, 3)]" {
		t.Errorf("%+v", c)
	}
	for _, tc := range []struct {
		urls []string
		want string
	}{
		{nil, "--url: no URL: give at least one path such as /health"},
		{[]string{"health"}, `--url: "health": must be a path starting with / or an http:// URL`},
		{[]string{"/a b"}, `--url: "/a b": contains a space, line break or #; write %20 for a space`},
		{[]string{"http://127.0.0.1:1/a", "http://127.0.0.1:2/b"}, `--url: "http://127.0.0.1:2/b": host http://127.0.0.1:2 differs from http://127.0.0.1:1 of an earlier --url; soak loads one host per run`},
		{[]string{"http://ann:s3cret@127.0.0.1:1/a"}, `--url: "http://ann:REDACTED@127.0.0.1:1/a": holds credentials, which soak does not send from a URL; use a scenario with an Authorization header`},
		{[]string{"/x/{{nope}}"}, `--url: "/x/{{nope}}": {{nope}}: unknown variable; it is neither captured nor set in vars: by this class, nor a data source`},
	} {
		if _, err := Quick(tc.urls...); err == nil || err.Error() != tc.want {
			t.Errorf("%q: %v\nwant %s", tc.urls, err, tc.want)
		}
	}
}

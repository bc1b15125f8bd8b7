package demo

import (
	"net/http"
	"strings"
	"testing"
)

// TestBadInput checks that bad bodies and queries get a 4xx whose message
// names the field.
func TestBadInput(t *testing.T) {
	_, anon := startService(t, Config{})
	user := anon.login("user0001")
	cases := []struct {
		name, method, path string
		body               any
		status             int
		want               string
	}{
		{"login empty body", "POST", "/api/auth/login", "", 400, "body: empty"},
		{"login not JSON", "POST", "/api/auth/login", "{user", 400, "body: not valid JSON"},
		{"login unknown field", "POST", "/api/auth/login", `{"user":"x"}`, 400, `unknown field "user"`},
		{"login missing password", "POST", "/api/auth/login", `{"username":"user0001"}`, 400, "password: required"},
		{"login wrong type", "POST", "/api/auth/login", `{"username":1,"password":"x"}`, 400, `field "username" must be string`},
		{"login trailing data", "POST", "/api/auth/login", `{"username":"a","password":"b"} {}`, 400, "data after the JSON object"},
		{"login huge username", "POST", "/api/auth/login", map[string]string{"username": strings.Repeat("u", 200), "password": "x"}, 400, "username: longer than 128 bytes"},
		{"story no title", "POST", "/api/stories", `{"body":"x"}`, 400, "title: required"},
		{"story blank title", "POST", "/api/stories", `{"title":"  ","body":"x"}`, 400, "title: required"},
		{"story long title", "POST", "/api/stories", map[string]string{"title": strings.Repeat("é", 201), "body": "x"}, 400, "title: longer than 200 characters"},
		{"story long body", "POST", "/api/stories", map[string]string{"title": "t", "body": strings.Repeat("b", maxStoryBytes+1)}, 400, "body: longer than 20000 bytes"},
		{"story bad tag", "POST", "/api/stories", map[string]any{"title": "t", "body": "b", "tags": []string{"ok", "Not OK"}}, 400, "tags[1]"},
		{"story many tags", "POST", "/api/stories", map[string]any{"title": "t", "body": "b", "tags": []string{"a", "b", "c", "d", "e", "f"}}, 400, "tags: at most 5"},
		{"story too big", "POST", "/api/stories", `{"title":"t","body":"` + strings.Repeat("x", maxBodyBytes) + `"}`, 413, "body: larger than"},
		{"whisper empty", "POST", "/api/whispers", `{"body":""}`, 400, "body: required"},
		{"whisper long", "POST", "/api/whispers", map[string]string{"body": strings.Repeat("w", 281)}, 400, "body: longer than 280 characters"},
		{"whisper bad story", "POST", "/api/whispers", map[string]string{"body": "hi", "story": "../etc"}, 400, "story: not a slug"},
		{"search no q", "GET", "/api/search/stories", nil, 400, "q: required"},
		{"search blank q", "GET", "/api/search/stories?q=%20", nil, 400, "q: required"},
		{"search long q", "GET", "/api/search/stories?q=" + strings.Repeat("q", 101), nil, 400, "q: longer than 100 characters"},
		{"search bad utf8", "GET", "/api/search/stories?q=%ff%fe", nil, 400, "q: not valid UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := user.do(tc.method, tc.path, tc.body)
			expect(t, r, tc.status)
			if got := r.errorText(t); !strings.Contains(got, tc.want) {
				t.Errorf("error %q, want it to contain %q", got, tc.want)
			}
		})
	}
	t.Run("wrong content type", func(t *testing.T) {
		r := anon.doWith("POST", "/api/auth/login", "username=a", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
		expect(t, r, http.StatusUnsupportedMediaType)
	})
}

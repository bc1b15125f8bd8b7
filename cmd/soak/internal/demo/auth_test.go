package demo

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestTokens(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tok, err := newTokens(func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	good := tok.issue(42)
	if id, ok := tok.check(good); !ok || id != 42 {
		t.Fatalf("check(issue(42)) = %d, %v", id, ok)
	}
	other, _ := newTokens(func() time.Time { return now })
	bad := map[string]string{
		"empty":          "",
		"no version":     strings.TrimPrefix(good, "v1."),
		"other key":      other.issue(42),
		"tampered id":    strings.Replace(good, "v1.42.", "v1.43.", 1),
		"tampered sig":   good[:len(good)-2] + "AA",
		"truncated":      good[:len(good)-1],
		"garbage":        "v1.x.y.z",
		"missing fields": "v1.42",
	}
	for name, token := range bad {
		if id, ok := tok.check(token); ok {
			t.Errorf("%s: accepted as user %d", name, id)
		}
	}
	now = now.Add(tokenTTL)
	if _, ok := tok.check(good); ok {
		t.Error("token accepted after its TTL")
	}
}

// TestAuthRequired checks that every authenticated route answers 401 with
// WWW-Authenticate when the token is missing, malformed, or not a Bearer,
// and that public routes ignore a bad token.
func TestAuthRequired(t *testing.T) {
	_, anon := startService(t, Config{})
	routes := []struct{ method, path string }{
		{"GET", "/api/users/me"}, {"GET", "/api/stories/mine"}, {"POST", "/api/stories"},
		{"GET", "/api/library/shelves"}, {"POST", "/api/whispers"},
	}
	good := anon.login("user0001").token
	for _, token := range []string{"", "v1.1.99999999999.forged", good + "x"} {
		c := *anon
		c.token = token
		for _, rt := range routes {
			r := c.do(rt.method, rt.path, nil)
			expect(t, r, http.StatusUnauthorized)
			if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s %s: WWW-Authenticate %q", rt.method, rt.path, r.Header.Get("WWW-Authenticate"))
			}
			if strings.Contains(string(r.Body), good) || (token != "" && strings.Contains(string(r.Body), token)) {
				t.Errorf("%s %s: the token is echoed in %s", rt.method, rt.path, r.Body)
			}
		}
		expect(t, c.do("GET", "/api/discovery/trending", nil), http.StatusOK)
	}
	// Basic instead of Bearer.
	r := anon.doWith("GET", "/api/users/me", nil, http.Header{"Authorization": {"Basic " + good}})
	expect(t, r, http.StatusUnauthorized)
}

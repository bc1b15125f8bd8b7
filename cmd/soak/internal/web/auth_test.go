package web

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/soaklab/soak/engine"
)

const secret = "s3cret-token-0123456789"

// newTest serves a Server for cfg on a loopback httptest server.
func newTest(t *testing.T, cfg Config) (*Server, *httptest.Server) {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(func() { s.Close(); ts.Close() })
	return s, ts
}

func do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func get(t *testing.T, url string, hdr ...string) (*http.Response, string) {
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return do(t, req)
}

func post(t *testing.T, url, body string, hdr ...string) (*http.Response, string) {
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return do(t, req)
}

// csrfOf reads the CSRF token from the page, as the page's script does.
func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`name="soak-csrf" content="([0-9a-f]{64})"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in the page")
	}
	return m[1]
}

// Without a token, only loopback addresses are served; with one, any.
func TestListenNeedsTokenOffLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0"} {
		if s, err := Listen(Config{Addr: addr}); !errors.Is(err, ErrNotLoopback) {
			if s != nil {
				s.Close()
			}
			t.Errorf("Listen(%q) without a token: %v, want ErrNotLoopback", addr, err)
		}
	}
	if _, err := Listen(Config{Addr: "no-port"}); err == nil || !strings.Contains(err.Error(), "no-port") {
		t.Errorf("a bad address: %v", err)
	}
	for _, cfg := range []Config{{Addr: "127.0.0.1:0"}, {Addr: "0.0.0.0:0", Token: secret}} {
		s, err := Listen(cfg)
		if err != nil {
			t.Fatalf("Listen(%q): %v", cfg.Addr, err)
		}
		if !strings.HasPrefix(s.URL(), "http://") || strings.Contains(s.URL(), secret) {
			t.Errorf("URL %q", s.URL())
		}
		s.Close()
	}
}

// With a token every path needs it: a Bearer header, or ?token= once,
// which becomes an HttpOnly cookie; the token is never in the page.
func TestToken(t *testing.T) {
	_, ts := newTest(t, Config{Token: secret})
	for _, path := range []string{"/", "/events", "/app.js", "/files/report.html"} {
		if resp, _ := get(t, ts.URL+path); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s without the token: %d, want 401", path, resp.StatusCode)
		}
		if resp, _ := get(t, ts.URL+path, "Authorization", "Bearer wrong"); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s with a wrong token: %d, want 401", path, resp.StatusCode)
		}
	}
	if resp, _ := post(t, ts.URL+"/stop", "{}"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST /stop without the token: %d", resp.StatusCode)
	}
	resp, page := get(t, ts.URL+"/", "Authorization", "Bearer "+secret)
	if resp.StatusCode != 200 || strings.Contains(page, secret) {
		t.Fatalf("GET / with the token: %d, token in the page: %v", resp.StatusCode, strings.Contains(page, secret))
	}
	resp, _ = get(t, ts.URL+"/?token="+secret)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("?token=: %d to %q, want 303 to /", resp.StatusCode, resp.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == cookieName {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("cookie %+v", cookie)
	}
	if resp, _ := get(t, ts.URL+"/", "Cookie", cookie.Name+"="+cookie.Value); resp.StatusCode != 200 {
		t.Errorf("GET / with the cookie: %d", resp.StatusCode)
	}
}

// A loopback server without a token answers only to loopback Host
// names: a rebound DNS name is refused.
func TestHostRebinding(t *testing.T) {
	_, ts := newTest(t, Config{})
	req, _ := http.NewRequest("GET", ts.URL+"/", nil)
	req.Host = "attacker.example:80"
	if resp, _ := do(t, req); resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("Host attacker.example: %d, want 421", resp.StatusCode)
	}
	req.Host = "localhost"
	if resp, _ := do(t, req); resp.StatusCode != 200 {
		t.Errorf("Host localhost: %d", resp.StatusCode)
	}
}

// Controls need the page's CSRF token and, from a browser, the same
// origin; the checks come before the control is touched.
func TestCSRFAndOrigin(t *testing.T) {
	stops := 0
	_, ts := newTest(t, Config{Control: engine.NewControl(), Stop: func() { stops++ }})
	_, page := get(t, ts.URL+"/")
	tok := csrfOf(t, page)
	for _, c := range []struct {
		name string
		hdr  []string
	}{
		{"no CSRF token", nil},
		{"a wrong CSRF token", []string{csrfHeader, strings.Repeat("0", 64)}},
		{"another origin", []string{csrfHeader, tok, "Origin", "http://attacker.example"}},
		{"another port", []string{csrfHeader, tok, "Origin", "http://127.0.0.1:1"}},
		{"a cross-site fetch", []string{csrfHeader, tok, "Sec-Fetch-Site", "cross-site"}},
		{"a null origin", []string{csrfHeader, tok, "Origin", "null"}},
	} {
		for _, path := range []string{"/stop", "/users", "/rate"} {
			if resp, body := post(t, ts.URL+path, `{"n":5,"r":5}`, c.hdr...); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s with %s: %d %s, want 403", path, c.name, resp.StatusCode, body)
			}
		}
	}
	if stops != 0 {
		t.Fatalf("Stop called %d times by refused requests", stops)
	}
	// Accepted: the control answers (no run under way: 409).
	origin := "Origin"
	resp, body := post(t, ts.URL+"/users", `{"n":5}`, csrfHeader, tok, origin, ts.URL, "Sec-Fetch-Site", "same-origin")
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "no load is running") {
		t.Errorf("POST /users with the CSRF token: %d %s, want 409 (no run)", resp.StatusCode, body)
	}
	for _, bad := range []string{`{}`, `{"n":"x"}`, `{"n":5,"extra":1}`, strings.Repeat(" ", 2*maxBody) + `{"n":5}`} {
		if resp, body := post(t, ts.URL+"/users", bad, csrfHeader, tok); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("POST /users %.20q: %d %s, want 400", bad, resp.StatusCode, body)
		}
	}
	if resp, body := post(t, ts.URL+"/users", `{"n":-1}`, csrfHeader, tok); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("POST /users -1: %d %s, want 400", resp.StatusCode, body)
	}
	for range 2 {
		if resp, body := post(t, ts.URL+"/stop", `{}`, csrfHeader, tok); resp.StatusCode != 200 {
			t.Errorf("POST /stop: %d %s", resp.StatusCode, body)
		}
	}
	if stops != 1 {
		t.Errorf("Stop called %d times, want once", stops)
	}
	if resp, _ := get(t, ts.URL+"/stop"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /stop: %d, want 405", resp.StatusCode)
	}
}

// Read-only refuses every control, even with the CSRF token.
func TestReadOnly(t *testing.T) {
	stops := 0
	_, ts := newTest(t, Config{ReadOnly: true, Control: engine.NewControl(), Stop: func() { stops++ }})
	_, page := get(t, ts.URL+"/")
	if !strings.Contains(page, `name="soak-read-only" content="true"`) {
		t.Errorf("the page does not say read-only")
	}
	tok := csrfOf(t, page)
	for _, path := range []string{"/stop", "/users", "/rate"} {
		if resp, body := post(t, ts.URL+path, `{"n":5}`, csrfHeader, tok); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "read-only") {
			t.Errorf("%s read-only: %d %s, want 403", path, resp.StatusCode, body)
		}
	}
	if stops != 0 {
		t.Errorf("Stop called in read-only mode")
	}
}

// Without a control or a stop function, the controls say so.
func TestNoControl(t *testing.T) {
	_, ts := newTest(t, Config{})
	_, page := get(t, ts.URL+"/")
	tok := csrfOf(t, page)
	for _, c := range []struct{ path, body string }{{"/stop", `{}`}, {"/users", `{"n":1}`}, {"/rate", `{"r":1}`}} {
		if resp, body := post(t, ts.URL+c.path, c.body, csrfHeader, tok); resp.StatusCode != http.StatusConflict {
			t.Errorf("%s: %d %s, want 409", c.path, resp.StatusCode, body)
		}
	}
}

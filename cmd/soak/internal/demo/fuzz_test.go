package demo

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func FuzzTokenCheck(f *testing.F) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tok, err := newTokens(func() time.Time { return now })
	if err != nil {
		f.Fatal(err)
	}
	good := tok.issue(7)
	for _, s := range []string{good, "", "v1.", "v1.7.1.x", "v1.-1.99999999999." + tok.sign("v1.-1.99999999999"), good + "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		id, ok := tok.check(token)
		if !ok {
			return
		}
		// Only a token this key signed for a valid user and a future
		// expiry passes.
		i := strings.LastIndexByte(token, '.')
		if id < 1 || tok.sign(token[:i]) != token[i+1:] {
			t.Fatalf("accepted %q as user %d", token, id)
		}
	})
}

// fuzzService is a memory service driven in process (no network) by the
// fuzz targets below; it is closed by the fuzz target's cleanup.
func fuzzService(f *testing.F) (http.Handler, string) {
	s, err := New(context.Background(), Config{RateLimitPerMinute: -1})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close(context.Background()) })
	return s.Handler(), "Bearer " + s.api.tokens.issue(1)
}

func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// FuzzCreateStory: whatever the body, POST /api/stories answers 201 or a
// 4xx with a JSON error, never 500 or a panic.
func FuzzCreateStory(f *testing.F) {
	h, auth := fuzzService(f)
	for _, s := range []string{
		`{"title":"t","body":"b","tags":["a"]}`, `{"title":"","body":"b"}`, `{"title":1}`, `[]`, `null`,
		`{"title":"t","body":"b","tags":null}`, `{"title":"t","body":"b"} x`, "{\"title\":\"\xff\",\"body\":\"b\"}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/api/stories", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", auth)
		rec := serve(h, req)
		if rec.Code != http.StatusCreated && (rec.Code < 400 || rec.Code > 499) {
			t.Fatalf("%q: status %d %s", body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 && !strings.HasPrefix(rec.Body.String(), `{"error":`) {
			t.Fatalf("%q: error body %s", body, rec.Body)
		}
	})
}

// FuzzSearch: any query string gets 200 or 400, never 500.
func FuzzSearch(f *testing.F) {
	h, _ := fuzzService(f)
	for _, s := range []string{"dragon", "", " ", "a b c", "\xff", strings.Repeat("x", 101), "%", "the harbor"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		rec := serve(h, httptest.NewRequest("GET", "/api/search/stories?q="+url.QueryEscape(q), nil))
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Fatalf("%q: status %d %s", q, rec.Code, rec.Body)
		}
	})
}

// FuzzCreatedSlug: every title gives a valid slug ending in the id.
func FuzzCreatedSlug(f *testing.F) {
	for _, s := range []string{"Hello", "", "!!!", "Ünïcödé", strings.Repeat("long ", 30)} {
		f.Add(s, int64(5001))
	}
	f.Fuzz(func(t *testing.T, title string, id int64) {
		if id < 1 {
			return
		}
		slug := createdSlug(title, id)
		if !validToken(slug, maxSlugLen) || !strings.HasSuffix(slug, "-"+strconv.FormatInt(id, 10)) {
			t.Fatalf("createdSlug(%q, %d) = %q", title, id, slug)
		}
	})
}

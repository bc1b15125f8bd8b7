package demo

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkEndpoints measures the handler in process (no network), per
// storage: a story page from the page cache, a story page rendered from
// storage (the cache holds one page and the benchmark alternates two),
// trending, and searches for a rare and a common word. The figures and the
// command are in docs/performance.md, section demo.
func BenchmarkEndpoints(b *testing.B) {
	storages := []struct {
		name string
		cfg  func(b *testing.B) Config
	}{
		{"memory", func(*testing.B) Config { return Config{} }},
		{"postgres", func(b *testing.B) Config { return pgConfig(b, false) }},
	}
	for _, st := range storages {
		b.Run(st.name, func(b *testing.B) {
			base := st.cfg(b) // one schema for every endpoint
			for _, ep := range []struct {
				name, a, b string
				cache      int
			}{
				{"story-cached", "/api/stories/story-0001", "/api/stories/story-0001", 0},
				{"story-rendered", "/api/stories/story-0001", "/api/stories/story-0002", 1},
				{"trending", "/api/discovery/trending", "/api/discovery/trending", 0},
				{"search-rare", "/api/search/stories?q=palimpsest", "/api/search/stories?q=palimpsest", 0},
				{"search-common", "/api/search/stories?q=night", "/api/search/stories?q=night", 0},
			} {
				b.Run(ep.name, func(b *testing.B) {
					cfg := base
					cfg.RateLimitPerMinute = -1
					if ep.cache > 0 {
						cfg.PageCacheSize = ep.cache
					}
					s, err := New(context.Background(), cfg)
					if err != nil {
						b.Fatal(err)
					}
					defer s.Close(context.Background())
					h := s.Handler()
					reqs := [2]*http.Request{httptest.NewRequest("GET", ep.a, nil), httptest.NewRequest("GET", ep.b, nil)}
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; b.Loop(); i++ {
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, reqs[i%2])
						if rec.Code != http.StatusOK {
							b.Fatalf("%s: %d %s", reqs[i%2].URL, rec.Code, rec.Body)
						}
					}
				})
			}
		})
	}
}

package scenario

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"testing"
	"testing/fstest"

	"github.com/soaklab/soak/engine/scenario/internal/jsonpath"
)

// seedFixture renders requests of docs/scenarios/seed.yaml for one
// AuthenticatedUser that has logged in and captured a slug.
func seedFixture(b *testing.B) *renderFixture {
	b.Helper()
	src, err := os.ReadFile("../../docs/scenarios/seed.yaml")
	if err != nil {
		b.Fatal(err)
	}
	csv, err := os.ReadFile("../../docs/scenarios/accounts.csv")
	if err != nil {
		b.Fatal(err)
	}
	s, err := LoadFS(fstest.MapFS{"seed.yaml": {Data: src}, "accounts.csv": {Data: csv}}, "seed.yaml")
	if err != nil {
		b.Fatal(err)
	}
	u := testUser(7, "AuthenticatedUser")
	u.Vars["token"] = "v1.7.1767225600.Zm9vYmFyYmF6cXV4cXV1eGZvb2Jhcg"
	u.Vars["slug"] = "story-0042"
	return newRenderFixture(b, s, 0, u)
}

// BenchmarkRenderRequest renders seed requests as the engine's task does
// before sending: default headers (Authorization from the captured token,
// X-Forwarded-For from the user's CSV row), path, query and JSON body.
func BenchmarkRenderRequest(b *testing.B) {
	f := seedFixture(b)
	for _, tc := range []struct {
		name       string
		task, step int
	}{
		{"GET /api/users/me", 3, 0},
		{"GET /api/stories/[slug]", 0, 1},
		{"GET /api/search/stories?q=", 5, 0},
		{"POST /api/whispers json", 6, 0},
	} {
		s := f.st.cls.tasks[tc.task][tc.step]
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := f.st.render(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRenderBaseline builds the POST /api/whispers request the way
// Go task code commonly would (fmt.Sprintf, json.Marshal of a map, a
// fresh http.Header), for comparison with the compiled templates.
func BenchmarkRenderBaseline(b *testing.B) {
	token, ip, story := "v1.7.1767225600.Zm9vYmFyYmF6cXV4cXV1eGZvb2Jhcg", "198.18.0.7", "story-0042"
	b.ReportAllocs()
	var sink int
	for b.Loop() {
		h := http.Header{}
		h.Set("Accept", "application/json")
		h.Set("X-Forwarded-For", ip)
		h.Set("Authorization", "Bearer "+token)
		h.Set("Content-Type", "application/json")
		body, _ := json.Marshal(map[string]string{
			"body":  fmt.Sprintf("Could not stop reading this one (%s)", "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b"),
			"story": story,
		})
		sink += len(body) + len(h)
	}
	_ = sink
}

// trendingBody is a response like the demo's GET /api/discovery/trending:
// 20 stories and 5 picks.
func trendingBody() []byte {
	type story struct {
		Slug, Title, Author string
		Tags                []string
		Score, Whispers     int
		Published           string
	}
	var out struct{ Stories, Picks []story }
	for i := range 25 {
		s := story{Slug: fmt.Sprintf("story-%04d", i*37+1), Title: "The Silent Lighthouse", Author: "user0042",
			Tags: []string{"fantasy", "mystery"}, Score: 900 - i, Whispers: i, Published: "2026-01-01T00:00:00Z"}
		if i < 20 {
			out.Stories = append(out.Stories, s)
		} else {
			out.Picks = append(out.Picks, s)
		}
	}
	b, _ := json.Marshal(out)
	return b
}

// BenchmarkCapture picks a random slug from a trending response: the
// in-place scanner of captures against decoding with encoding/json.
func BenchmarkCapture(b *testing.B) {
	body := trendingBody()
	p, err := jsonpath.Compile("$.Stories[*].Slug")
	if err != nil {
		b.Fatal(err)
	}
	u := testUser(1, "A")
	b.Run("scanner", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			v, _ := p.Pick(body, u.Rand)
			if s, ok := jsonpath.Text(v); !ok || s == "" {
				b.Fatal("no slug")
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var doc map[string]any
			if err := json.Unmarshal(body, &doc); err != nil {
				b.Fatal(err)
			}
			list := doc["Stories"].([]any)
			if s, _ := list[u.Rand.IntN(len(list))].(map[string]any)["Slug"].(string); s == "" {
				b.Fatal("no slug")
			}
		}
	})
}

// BenchmarkBind is the per-task cost of finding a user's state: a type
// assertion on engine.User.State.
func BenchmarkBind(b *testing.B) {
	f := seedFixture(b)
	u := f.st.u
	b.ReportAllocs()
	for b.Loop() {
		if f.c.state(f.c.classes[0], u) != f.st {
			b.Fatal("a new state for the same user")
		}
	}
}

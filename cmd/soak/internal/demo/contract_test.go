package demo

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var seededSlug = regexp.MustCompile(`^story-\d{4}$`)

// TestContract checks every endpoint of the documented contract over real
// HTTP, in memory and on PostgreSQL with Redis.
func TestContract(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s, anon := startService(t, b.cfg(t))
			user := anon.login("user0007")

			t.Run("health", func(t *testing.T) {
				var out map[string]string
				r := anon.getJSON("/health", http.StatusOK, &out)
				if out["status"] != "ok" {
					t.Errorf("body %s", r.Body)
				}
			})
			t.Run("ready", func(t *testing.T) {
				var out map[string]string
				r := anon.getJSON("/health/ready", http.StatusOK, &out)
				if out["status"] != "ready" || out["storage"] != s.api.storage || out["cache"] != s.api.cache {
					t.Errorf("body %s", r.Body)
				}
			})
			t.Run("login", func(t *testing.T) {
				r := anon.do("POST", "/api/auth/login", map[string]string{"username": "user0007", "password": SeedPassword})
				expect(t, r, http.StatusOK)
				var out loginResponse
				r.decode(t, &out)
				if out.Token == "" || out.User.Username != "user0007" || out.User.ID != 7 || !out.ExpiresAt.After(time.Now()) {
					t.Errorf("body %s", r.Body)
				}
				for _, bad := range []map[string]string{
					{"username": "user0007", "password": "wrong"},
					{"username": "nobody", "password": SeedPassword},
				} {
					r := anon.do("POST", "/api/auth/login", bad)
					expect(t, r, http.StatusUnauthorized)
					if got := r.errorText(t); got != "invalid username or password" {
						t.Errorf("error %q", got)
					}
				}
			})
			t.Run("me", func(t *testing.T) {
				var u User
				user.getJSON("/api/users/me", http.StatusOK, &u)
				if u.ID != 7 || u.Username != "user0007" || u.DisplayName != "Demo User 7" || u.StoryCount != SeedStories/SeedUsers {
					t.Errorf("user %+v", u)
				}
			})
			t.Run("trending", func(t *testing.T) {
				var out trendingResponse
				anon.getJSON("/api/discovery/trending", http.StatusOK, &out)
				if len(out.Stories) != trendingLimit || len(out.Picks) != picksLimit {
					t.Fatalf("%d stories, %d picks", len(out.Stories), len(out.Picks))
				}
				if !slices.IsSortedFunc(out.Stories, func(a, b StorySummary) int { return int(b.Score - a.Score) }) {
					t.Error("trending not sorted by score")
				}
				hot, err := s.api.store.trending(context.Background(), trendingPool)
				if err != nil {
					t.Fatal(err)
				}
				for _, st := range out.Stories {
					if !slices.ContainsFunc(hot, func(h StorySummary) bool { return h.Slug == st.Slug }) {
						t.Errorf("%s is not among the %d hottest", st.Slug, trendingPool)
					}
				}
				var again trendingResponse
				anon.do("GET", "/api/discovery/trending", nil).decode(t, &again)
				if slices.EqualFunc(out.Stories, again.Stories, func(a, b StorySummary) bool { return a.Slug == b.Slug }) {
					t.Error("two trending lists are the same sample")
				}
				seen := map[string]bool{}
				for _, p := range out.Picks {
					if !seededSlug.MatchString(p.Slug) || seen[p.Slug] || p.Title == "" || p.Author == "" {
						t.Errorf("pick %+v", p)
					}
					seen[p.Slug] = true
				}
			})
			t.Run("story", func(t *testing.T) {
				var st Story
				anon.getJSON("/api/stories/story-0042", http.StatusOK, &st)
				if st.Slug != "story-0042" || st.Author != "user0042" || st.Body == "" || len(st.Tags) == 0 ||
					len(st.Related) == 0 || len(st.Related) > relatedLimit || slices.Contains(st.Related, st.Slug) {
					t.Errorf("story %+v", st)
				}
				for _, missing := range []string{"story-9999", "no-such-story-1", "UPPER", "a%20b"} {
					r := anon.do("GET", "/api/stories/"+missing, nil)
					expect(t, r, http.StatusNotFound)
					if got := r.errorText(t); got != "story not found" {
						t.Errorf("%s: error %q", missing, got)
					}
				}
			})
			t.Run("mine", func(t *testing.T) {
				var out storiesResponse
				user.getJSON("/api/stories/mine", http.StatusOK, &out)
				if len(out.Stories) != SeedStories/SeedUsers {
					t.Fatalf("%d stories", len(out.Stories))
				}
				for i, st := range out.Stories {
					if st.Author != "user0007" || i > 0 && st.PublishedAt.After(out.Stories[i-1].PublishedAt) {
						t.Errorf("story %d: %+v", i, st)
					}
				}
			})
			t.Run("create story", func(t *testing.T) {
				r := user.do("POST", "/api/stories", map[string]any{
					"title": "A Lantern, Lit!", "body": "The lamplighter walked the harbor.", "tags": []string{"mystery"}})
				expect(t, r, http.StatusCreated)
				var st Story
				r.decode(t, &st)
				if !strings.HasPrefix(st.Slug, "a-lantern-lit-") || st.Author != "user0007" ||
					r.Header.Get("Location") != "/api/stories/"+st.Slug {
					t.Fatalf("created %+v, Location %q", st, r.Header.Get("Location"))
				}
				expect(t, anon.do("GET", "/api/stories/"+st.Slug, nil), http.StatusOK)
				var mine storiesResponse
				user.do("GET", "/api/stories/mine", nil).decode(t, &mine)
				if len(mine.Stories) == 0 || mine.Stories[0].Slug != st.Slug {
					t.Errorf("mine does not start with the new story: %+v", mine.Stories)
				}
				var u User
				user.do("GET", "/api/users/me", nil).decode(t, &u)
				if u.StoryCount != SeedStories/SeedUsers+1 {
					t.Errorf("story_count %d after a new story", u.StoryCount)
				}
			})
			t.Run("shelves", func(t *testing.T) {
				var out shelvesResponse
				user.getJSON("/api/library/shelves", http.StatusOK, &out)
				if len(out.Shelves) != ShelvesPerUser {
					t.Fatalf("%d shelves", len(out.Shelves))
				}
				for i, sh := range out.Shelves {
					if sh.Name != shelfNames[i] || len(sh.Stories) == 0 || len(sh.Stories) > StoriesPerShelf {
						t.Errorf("shelf %+v", sh)
					}
					for _, ref := range sh.Stories {
						if !seededSlug.MatchString(ref.Slug) || ref.Title == "" || ref.Author == "" {
							t.Errorf("shelf item %+v", ref)
						}
					}
				}
			})
			t.Run("search", func(t *testing.T) {
				var out searchResponse
				anon.getJSON("/api/search/stories?q=Lighthouse", http.StatusOK, &out)
				if out.Query != "Lighthouse" || len(out.Stories) == 0 || len(out.Stories) > listLimit {
					t.Fatalf("query %q, %d stories", out.Query, len(out.Stories))
				}
				for _, hit := range out.Stories {
					var st Story
					anon.do("GET", "/api/stories/"+hit.Slug, nil).decode(t, &st)
					if !containsWord(strings.ToLower(st.Title+" "+st.Body), "lighthouse") {
						t.Errorf("%s does not contain the word lighthouse", hit.Slug)
					}
				}
				r := anon.getJSON("/api/search/stories?q=zzzunknownword", http.StatusOK, &out)
				if out.Stories == nil || len(out.Stories) != 0 {
					t.Errorf("no-match search: %s", r.Body)
				}
			})
			t.Run("whisper", func(t *testing.T) {
				r := user.do("POST", "/api/whispers", map[string]string{"body": "Loved the ending.", "story": "story-0100"})
				expect(t, r, http.StatusCreated)
				var w Whisper
				r.decode(t, &w)
				if w.ID == 0 || w.Author != "user0007" || w.Story != "story-0100" || w.Body != "Loved the ending." {
					t.Errorf("whisper %+v", w)
				}
				expect(t, user.do("POST", "/api/whispers", map[string]string{"body": "Just a thought."}), http.StatusCreated)
				r = user.do("POST", "/api/whispers", map[string]string{"body": "hi", "story": "story-9999"})
				expect(t, r, http.StatusNotFound)
			})
			t.Run("unknown route", func(t *testing.T) {
				r := anon.do("GET", "/api/nope", nil)
				expect(t, r, http.StatusNotFound)
				if r.errorText(t) == "" {
					t.Errorf("404 body %s", r.Body)
				}
			})
		})
	}
}

// TestSameSeedEverywhere checks that memory and PostgreSQL serve the same
// seeded data, so a scenario written against one works on the other.
func TestSameSeedEverywhere(t *testing.T) {
	ms, mem := startService(t, Config{})
	ps, pg := startService(t, sharedSeedConfig(t))
	paths := []string{
		"/api/stories/story-0001", "/api/stories/story-2500", "/api/stories/story-5000",
		"/api/users/me", "/api/stories/mine", "/api/library/shelves",
	}
	for _, who := range []string{"user0001", "user0500", "user1000"} {
		m, p := mem.login(who), pg.login(who)
		for _, path := range paths {
			a, b := m.do("GET", path, nil), p.do("GET", path, nil)
			expect(t, a, http.StatusOK)
			expect(t, b, http.StatusOK)
			if string(a.Body) != string(b.Body) {
				t.Errorf("%s %s differs:\nmemory   %.400s\npostgres %.400s", who, path, a.Body, b.Body)
			}
		}
	}
	ctx := context.Background()
	a, err := ms.api.store.trending(ctx, trendingPool)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ps.api.store.trending(ctx, trendingPool)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(a, b, func(x, y StorySummary) bool { return x.Slug == y.Slug && x.Score == y.Score }) {
		t.Errorf("trending differs:\nmemory   %v\npostgres %v", a, b)
	}
}

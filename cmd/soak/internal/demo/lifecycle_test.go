package demo

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestWhisperWorkersStartLazily: no worker before the first whisper, then
// exactly Config.WhisperWorkers that stay, whatever the number of
// whispers; and the workers do their job (the story's score rises).
func TestWhisperWorkersStartLazily(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			cfg := b.cfg(t)
			cfg.WhisperWorkers = 3
			s, c := startService(t, cfg)
			u := c.login("user0009")
			if n := goroutinesIn(t, "deliverWhispers"); n != 0 {
				t.Fatalf("%d workers before the first whisper", n)
			}
			const whispers = 40
			for i := range whispers {
				expect(t, u.do("POST", "/api/whispers", map[string]string{"body": "so good", "story": "story-0077"}), http.StatusCreated)
				if n := settledGoroutinesIn(t, "deliverWhispers", 3); n != 3 {
					t.Fatalf("after whisper %d: %d workers, want 3", i+1, n)
				}
			}
			if s.api.whispers.running() != 3 {
				t.Errorf("running() = %d", s.api.whispers.running())
			}
			base := seedStories()[76].Score
			ctx := context.Background()
			deadline := time.Now().Add(10 * time.Second)
			for {
				st, err := s.api.store.trending(ctx, SeedStories) // uncached read of the scores
				if err != nil {
					t.Fatal(err)
				}
				var score int64
				for _, x := range st {
					if x.Slug == "story-0077" {
						score = x.Score
					}
				}
				if score == base+whispers {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("score %d, want %d once the workers delivered", score, base+whispers)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

// TestCloseStopsEverything runs a service with every goroutine it can
// start (whisper workers, leaked goroutines, leaked connections, pool and
// Redis client) and checks that Close leaves none behind.
func TestCloseStopsEverything(t *testing.T) {
	cfg := pgConfig(t, true)
	cfg.Faults = []string{FaultGoroutineLeak, FaultConnLeak, FaultHeapLeak}
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	c := (&client{t: t, base: srv.URL, http: srv.Client()}).login("user0002")
	for range 3 * GoroutineLeakEvery {
		expect(t, c.do("GET", "/api/discovery/trending", nil), http.StatusOK)
	}
	for range ConnLeakEvery {
		expect(t, c.do("GET", "/api/library/shelves", nil), http.StatusOK)
	}
	expect(t, c.do("POST", "/api/whispers", map[string]string{"body": "hello", "story": "story-0002"}), http.StatusCreated)
	if settledGoroutinesIn(t, "awaitTrendingRefresh", 3) != 3 || s.api.faults.leakedConns() != 1 || s.api.whispers.running() == 0 {
		t.Fatal("the faults and workers did not start")
	}
	srv.Close()
	srv.Client().CloseIdleConnections()
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

package demo

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// TestSchemaIdempotent creates the schema twice in a row, then starts two
// services on it at once: the seed is written exactly once.
func TestSchemaIdempotent(t *testing.T) {
	cfg := pgConfig(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pcfg, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	pcfg.ConnConfig.RuntimeParams["search_path"] = cfg.Schema
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for i, want := range []bool{true, false} {
		seeded, err := ensureSchema(ctx, pool, cfg.Schema)
		if err != nil {
			t.Fatalf("ensureSchema #%d: %v", i+1, err)
		}
		if seeded != want {
			t.Errorf("ensureSchema #%d seeded=%v, want %v", i+1, seeded, want)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() {
			s, err := New(ctx, cfg)
			if err == nil {
				err = s.Close(ctx)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("concurrent New: %v", err)
		}
	}
	counts := map[string]int{"users": SeedUsers, "stories": SeedStories, "shelves": SeedUsers * ShelvesPerUser, "seed_info": 1}
	for table, want := range counts {
		var n int
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%s: %d rows, want %d", table, n, want)
		}
	}
	// The indexes the queries rely on exist.
	for _, idx := range []string{"stories_score_idx", "stories_author_idx", "stories_tags_idx", "stories_search_idx", "whispers_author_idx"} {
		var ok bool
		if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = $2)`,
			cfg.Schema, idx).Scan(&ok); err != nil || !ok {
			t.Errorf("index %s: exists=%v err=%v", idx, ok, err)
		}
	}
}

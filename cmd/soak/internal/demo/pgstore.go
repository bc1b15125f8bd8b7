package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pgStore keeps the demo's data in PostgreSQL through one pgxpool whose
// connections have search_path set to the demo's schema. Writes run in
// transactions; reads use the indexes of indexDDL. Safe for concurrent
// use, as the pool is.
type pgStore struct {
	pool *pgxpool.Pool
	// searchHold is how long search keeps its connection after its query
	// (the pool-exhausted fault); zero for a clean service.
	searchHold time.Duration
}

// summaryCols and summaryFrom select what scanSummary reads.
const (
	summaryCols = `s.slug, s.title, u.username, s.tags, s.score, s.whisper_count, s.published_at`
	summaryFrom = ` FROM stories s JOIN users u ON u.id = s.author_id `
)

func scanSummary(row pgx.CollectableRow) (StorySummary, error) {
	var s StorySummary
	err := row.Scan(&s.Slug, &s.Title, &s.Author, &s.Tags, &s.Score, &s.WhisperCount, &s.PublishedAt)
	s.PublishedAt = s.PublishedAt.UTC()
	return s, err
}

func (p *pgStore) list(ctx context.Context, sql string, args ...any) ([]StorySummary, error) {
	rows, err := p.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanSummary)
}

func (p *pgStore) ready(ctx context.Context) error { return p.pool.Ping(ctx) }

func (p *pgStore) authenticate(ctx context.Context, username, password string) (User, error) {
	var u User
	var hash []byte
	err := p.pool.QueryRow(ctx, `SELECT id, username, display_name, story_count, created_at, password_hash
		FROM users WHERE username = $1`, username).
		Scan(&u.ID, &u.Username, &u.DisplayName, &u.StoryCount, &u.CreatedAt, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, err
	}
	if !passwordMatches(hash, username, password) {
		return User{}, ErrBadCredentials
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return u, nil
}

func (p *pgStore) user(ctx context.Context, id int64) (User, error) {
	var u User
	err := p.pool.QueryRow(ctx, `SELECT id, username, display_name, story_count, created_at
		FROM users WHERE id = $1`, id).Scan(&u.ID, &u.Username, &u.DisplayName, &u.StoryCount, &u.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, ErrNotFound
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return u, err
}

func (p *pgStore) trending(ctx context.Context, limit int) ([]StorySummary, error) {
	return p.list(ctx, `SELECT `+summaryCols+summaryFrom+`ORDER BY s.score DESC, s.id LIMIT $1`, limit)
}

func (p *pgStore) storiesByID(ctx context.Context, ids []int64) ([]StorySummary, error) {
	return p.list(ctx, `SELECT `+summaryCols+summaryFrom+
		`WHERE s.id = ANY($1) ORDER BY array_position($1, s.id)`, ids)
}

func (p *pgStore) story(ctx context.Context, slug string) (Story, error) {
	var s Story
	err := p.pool.QueryRow(ctx, `SELECT `+summaryCols+`, s.body,
		ARRAY(SELECT r.slug FROM stories r WHERE r.tags && s.tags AND r.id <> s.id
		      ORDER BY r.score DESC, r.id LIMIT $2)`+summaryFrom+`WHERE s.slug = $1`, slug, relatedLimit).
		Scan(&s.Slug, &s.Title, &s.Author, &s.Tags, &s.Score, &s.WhisperCount, &s.PublishedAt, &s.Body, &s.Related)
	if errors.Is(err, pgx.ErrNoRows) {
		return Story{}, ErrNotFound
	}
	s.PublishedAt = s.PublishedAt.UTC()
	return s, err
}

func (p *pgStore) storiesBy(ctx context.Context, authorID int64, limit int) ([]StorySummary, error) {
	return p.list(ctx, `SELECT `+summaryCols+summaryFrom+
		`WHERE s.author_id = $1 ORDER BY s.published_at DESC, s.id DESC LIMIT $2`, authorID, limit)
}

func (p *pgStore) shelves(ctx context.Context, userID int64) ([]Shelf, error) {
	rows, err := p.pool.Query(ctx, `SELECT sh.id, sh.name, s.slug, s.title, u.username
		FROM shelves sh
		LEFT JOIN shelf_items i ON i.shelf_id = sh.id
		LEFT JOIN stories s ON s.id = i.story_id
		LEFT JOIN users u ON u.id = s.author_id
		WHERE sh.user_id = $1
		ORDER BY sh.position, i.added_at DESC, s.id`, userID)
	if err != nil {
		return nil, err
	}
	out := []Shelf{}
	var id int64
	var name string
	var slug, title, author *string
	_, err = pgx.ForEachRow(rows, []any{&id, &name, &slug, &title, &author}, func() error {
		if len(out) == 0 || out[len(out)-1].ID != id {
			out = append(out, Shelf{ID: id, Name: name, Stories: []StoryRef{}})
		}
		if slug != nil {
			sh := &out[len(out)-1]
			sh.Stories = append(sh.Stories, StoryRef{Slug: *slug, Title: *title, Author: *author})
		}
		return nil
	})
	return out, err
}

// search runs a full-text query on its own connection. Under the
// pool-exhausted fault it keeps that connection while it "ranks" the
// results, which is the bug the fault plants.
func (p *pgStore) search(ctx context.Context, q string, limit int) ([]StorySummary, error) {
	conn, err := p.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	rows, err := conn.Query(ctx, `SELECT `+summaryCols+summaryFrom+
		`WHERE s.search @@ plainto_tsquery('simple', $1)
		ORDER BY ts_rank(s.search, plainto_tsquery('simple', $1)) DESC, s.score DESC, s.id LIMIT $2`, q, limit)
	if err != nil {
		return nil, err
	}
	hits, err := pgx.CollectRows(rows, scanSummary)
	if err != nil || p.searchHold == 0 {
		return hits, err
	}
	return hits, rankWhileHoldingConn(ctx, p.searchHold)
}

func (p *pgStore) close() { p.pool.Close() }

// newPGStore connects, creates the schema and seed data if needed, and
// returns the store. cfg.ConnConfig must already carry the tracer.
func newPGStore(ctx context.Context, cfg *pgxpool.Config, schema string) (*pgStore, error) {
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("demo: open PostgreSQL pool: %w", err)
	}
	if _, err := ensureSchema(ctx, pool, schema); err != nil {
		pool.Close()
		return nil, err
	}
	return &pgStore{pool: pool}, nil
}

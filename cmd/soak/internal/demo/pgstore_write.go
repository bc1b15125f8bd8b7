package demo

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

func (p *pgStore) createStory(ctx context.Context, authorID int64, in NewStory) (Story, error) {
	var slug string
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('stories', 'id'))`).Scan(&id); err != nil {
			return err
		}
		slug = createdSlug(in.Title, id)
		if _, err := tx.Exec(ctx, `INSERT INTO stories (id, slug, author_id, title, body, tags)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, slug, authorID, in.Title, in.Body, in.Tags); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE users SET story_count = story_count + 1 WHERE id = $1`, authorID)
		return err
	})
	if err != nil {
		return Story{}, err
	}
	return p.story(ctx, slug)
}

func (p *pgStore) createWhisper(ctx context.Context, authorID int64, in NewWhisper) (Whisper, error) {
	w := Whisper{Body: in.Body, Story: in.Story}
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		var storyID *int64
		if in.Story != "" {
			var id int64
			err := tx.QueryRow(ctx, `UPDATE stories SET whisper_count = whisper_count + 1
				WHERE slug = $1 RETURNING id`, in.Story).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			storyID = &id
		}
		return tx.QueryRow(ctx, `INSERT INTO whispers (author_id, story_id, body) VALUES ($1, $2, $3)
			RETURNING id, created_at, (SELECT username FROM users WHERE id = $1)`, authorID, storyID, in.Body).
			Scan(&w.ID, &w.CreatedAt, &w.Author)
	})
	if err != nil {
		return Whisper{}, err
	}
	w.CreatedAt = w.CreatedAt.UTC()
	return w, nil
}

func (p *pgStore) bumpScore(ctx context.Context, slug string, delta int64) error {
	_, err := p.pool.Exec(ctx, `UPDATE stories SET score = score + $2 WHERE slug = $1`, slug, delta)
	return err
}

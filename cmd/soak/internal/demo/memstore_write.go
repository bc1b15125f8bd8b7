package demo

import (
	"context"
	"slices"
)

func (m *memStore) createStory(ctx context.Context, authorID int64, in NewStory) (Story, error) {
	if err := m.lock(ctx); err != nil {
		return Story{}, err
	}
	defer m.mu.Unlock()
	if authorID < 1 || authorID > int64(len(m.users)) {
		return Story{}, ErrNotFound
	}
	m.nextStory++
	id := m.nextStory
	s := m.add(seedStory{
		ID: id, AuthorID: authorID, Slug: createdSlug(in.Title, id), Title: in.Title,
		Body: in.Body, Tags: slices.Clone(in.Tags), Time: m.now().UTC(),
	})
	m.users[authorID-1].StoryCount++
	m.created = append(m.created, id)
	if len(m.created) > memMaxCreatedStories {
		m.forget(m.created[0])
		m.created = slices.Delete(m.created, 0, 1)
	}
	return Story{StorySummary: s.summary(), Body: s.Body, Related: m.related(s)}, nil
}

// forget removes a created story that fell out of the retention window.
func (m *memStore) forget(id int64) {
	s := m.stories[id]
	delete(m.stories, id)
	delete(m.bySlug, s.Slug)
	ids := m.byAuthor[s.AuthorID]
	if i := slices.Index(ids, id); i >= 0 {
		m.byAuthor[s.AuthorID] = slices.Delete(ids, i, i+1)
	}
	m.users[s.AuthorID-1].StoryCount--
}

func (m *memStore) createWhisper(ctx context.Context, authorID int64, in NewWhisper) (Whisper, error) {
	if err := m.lock(ctx); err != nil {
		return Whisper{}, err
	}
	defer m.mu.Unlock()
	if authorID < 1 || authorID > int64(len(m.users)) {
		return Whisper{}, ErrNotFound
	}
	if in.Story != "" {
		s, ok := m.bySlug[in.Story]
		if !ok {
			return Whisper{}, ErrNotFound
		}
		s.whispers++
	}
	m.nextWhisp++
	w := Whisper{
		ID: m.nextWhisp, Body: in.Body, Story: in.Story,
		Author: m.users[authorID-1].Username, CreatedAt: m.now().UTC(),
	}
	m.whispers[m.nextWhisp%memMaxWhispers] = w
	return w, nil
}

func (m *memStore) bumpScore(ctx context.Context, slug string, delta int64) error {
	if err := m.lock(ctx); err != nil {
		return err
	}
	defer m.mu.Unlock()
	if s, ok := m.bySlug[slug]; ok {
		s.Score += delta
	}
	return nil
}

func (m *memStore) close() {}

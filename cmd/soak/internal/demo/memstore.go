package demo

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Bounds of the in-memory store's growth: it keeps the newest created
// stories and whispers and forgets older ones, as a retention job would, so
// that a long soak of a clean service does not grow the heap through its
// own storage.
const (
	memMaxCreatedStories = 500
	memMaxWhispers       = 2000
)

// memStory is a story held by the memory store. lower is the lower-cased
// title and body of a created story, for search; seeded stories are lower
// case but for capitals that start a sentence or a title word, so search
// reads them in place and the store holds their text once.
type memStory struct {
	seedStory
	author   string
	whispers int
	lower    string
}

// memStore is the default storage: the seed data in maps behind one
// RWMutex. Its search scans every story, which makes it slower than a
// lookup by slug, as a search is.
type memStore struct {
	mu        sync.RWMutex
	users     []seedUser
	byName    map[string]int64
	stories   map[int64]*memStory
	bySlug    map[string]*memStory
	byAuthor  map[int64][]int64 // story ids, in the order added
	shelvesOf map[int64][]seedShelf
	created   []int64                 // ids of created stories, oldest first
	whispers  [memMaxWhispers]Whisper // a ring indexed by id
	nextStory int64
	nextWhisp int64
	now       func() time.Time
}

func newMemStore() *memStore {
	m := &memStore{
		byName:    make(map[string]int64, SeedUsers),
		stories:   make(map[int64]*memStory, SeedStories),
		bySlug:    make(map[string]*memStory, SeedStories),
		byAuthor:  make(map[int64][]int64, SeedUsers),
		shelvesOf: make(map[int64][]seedShelf, SeedUsers),
		nextStory: SeedStories,
		now:       time.Now,
	}
	m.users = seedUsers()
	for _, u := range m.users {
		m.byName[u.Username] = u.ID
	}
	for _, s := range seedStories() {
		m.add(s)
	}
	for _, sh := range seedShelves() {
		m.shelvesOf[sh.UserID] = append(m.shelvesOf[sh.UserID], sh)
	}
	return m
}

func (m *memStore) add(s seedStory) *memStory {
	ms := &memStory{seedStory: s, author: m.users[s.AuthorID-1].Username}
	if s.ID > SeedStories {
		ms.lower = strings.ToLower(s.Title + " " + s.Body)
	}
	m.stories[s.ID] = ms
	m.bySlug[s.Slug] = ms
	m.byAuthor[s.AuthorID] = append(m.byAuthor[s.AuthorID], s.ID)
	return ms
}

func (m *memStory) summary() StorySummary {
	return StorySummary{
		Slug: m.Slug, Title: m.Title, Author: m.author, Tags: slices.Clone(m.Tags),
		Score: m.Score, WhisperCount: m.whispers, PublishedAt: m.Time,
	}
}

// rlock read-locks the store unless ctx is done; the caller unlocks.
func (m *memStore) rlock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.RLock()
	return nil
}

// lock write-locks the store unless ctx is done; the caller unlocks.
func (m *memStore) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	return nil
}

func (m *memStore) ready(ctx context.Context) error { return ctx.Err() }

func (m *memStore) authenticate(ctx context.Context, username, password string) (User, error) {
	if err := m.rlock(ctx); err != nil {
		return User{}, err
	}
	defer m.mu.RUnlock()
	id, ok := m.byName[username]
	if !ok {
		return User{}, ErrBadCredentials
	}
	u := m.users[id-1]
	if !passwordMatches(u.PasswordHash, username, password) {
		return User{}, ErrBadCredentials
	}
	return u.User, nil
}

func (m *memStore) user(ctx context.Context, id int64) (User, error) {
	if err := m.rlock(ctx); err != nil {
		return User{}, err
	}
	defer m.mu.RUnlock()
	if id < 1 || id > int64(len(m.users)) {
		return User{}, ErrNotFound
	}
	return m.users[id-1].User, nil
}

// better orders stories by score, highest first, then by id.
func better(a, b *memStory) bool {
	return a.Score > b.Score || a.Score == b.Score && a.ID < b.ID
}

func (m *memStore) trending(ctx context.Context, limit int) ([]StorySummary, error) {
	if err := m.rlock(ctx); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	all := make([]*memStory, 0, len(m.stories))
	for _, s := range m.stories {
		all = append(all, s)
	}
	slices.SortFunc(all, byScore)
	return summaries(all[:min(len(all), limit)]), nil
}

// byScore orders stories by score, highest first, then by id, as the
// stories_score_idx index of the PostgreSQL store does.
func byScore(a, b *memStory) int {
	if better(a, b) {
		return -1
	}
	if better(b, a) {
		return 1
	}
	return 0
}

func summaries(list []*memStory) []StorySummary {
	out := make([]StorySummary, len(list))
	for i, s := range list {
		out[i] = s.summary()
	}
	return out
}

func (m *memStore) storiesByID(ctx context.Context, ids []int64) ([]StorySummary, error) {
	if err := m.rlock(ctx); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	out := make([]StorySummary, 0, len(ids))
	for _, id := range ids {
		if s, ok := m.stories[id]; ok {
			out = append(out, s.summary())
		}
	}
	return out, nil
}

func (m *memStore) story(ctx context.Context, slug string) (Story, error) {
	if err := m.rlock(ctx); err != nil {
		return Story{}, err
	}
	defer m.mu.RUnlock()
	s, ok := m.bySlug[slug]
	if !ok {
		return Story{}, ErrNotFound
	}
	return Story{StorySummary: s.summary(), Body: s.Body, Related: m.related(s)}, nil
}

// related returns the slugs of the best-scored stories sharing a tag with s.
func (m *memStore) related(s *memStory) []string {
	var top []*memStory
	for _, o := range m.stories {
		if o.ID == s.ID || !sharesTag(o.Tags, s.Tags) {
			continue
		}
		i := len(top)
		for i > 0 && better(o, top[i-1]) {
			i--
		}
		if i < relatedLimit {
			top = slices.Insert(top, i, o)
			top = top[:min(len(top), relatedLimit)]
		}
	}
	out := make([]string, len(top))
	for i, o := range top {
		out[i] = o.Slug
	}
	return out
}

func sharesTag(a, b []string) bool {
	for _, t := range a {
		if slices.Contains(b, t) {
			return true
		}
	}
	return false
}

func (m *memStore) storiesBy(ctx context.Context, authorID int64, limit int) ([]StorySummary, error) {
	if err := m.rlock(ctx); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	list := make([]*memStory, 0, len(m.byAuthor[authorID]))
	for _, id := range m.byAuthor[authorID] {
		list = append(list, m.stories[id])
	}
	slices.SortFunc(list, func(a, b *memStory) int { // newest first, as the index in PostgreSQL
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		return int(b.ID - a.ID)
	})
	return summaries(list[:min(len(list), limit)]), nil
}

func (m *memStore) shelves(ctx context.Context, userID int64) ([]Shelf, error) {
	if err := m.rlock(ctx); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	out := make([]Shelf, 0, ShelvesPerUser)
	for _, sh := range m.shelvesOf[userID] {
		refs := make([]StoryRef, 0, len(sh.Stories))
		for i := len(sh.Stories) - 1; i >= 0; i-- {
			if s, ok := m.stories[sh.Stories[i]]; ok {
				refs = append(refs, StoryRef{Slug: s.Slug, Title: s.Title, Author: s.author})
			}
		}
		out = append(out, Shelf{ID: sh.ID, Name: sh.Name, Stories: refs})
	}
	return out, nil
}

func (m *memStore) search(ctx context.Context, q string, limit int) ([]StorySummary, error) {
	words := strings.Fields(strings.ToLower(q))
	if len(words) == 0 {
		return []StorySummary{}, nil
	}
	caps := make([]string, len(words))
	for i, w := range words {
		caps[i] = capitalized(w)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var hits []*memStory
	n := 0
	for _, s := range m.stories {
		if n++; n%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if s.matches(words, caps) {
			hits = append(hits, s)
		}
	}
	slices.SortFunc(hits, byScore)
	return summaries(hits[:min(len(hits), limit)]), nil
}

// matches reports whether every word (in lower case) occurs in the story
// as a whole word, ignoring case, as PostgreSQL's 'simple' text search
// configuration matches; caps holds the words capitalized.
func (s *memStory) matches(words, caps []string) bool {
	for i, w := range words {
		if s.lower != "" {
			if !containsWord(s.lower, w) {
				return false
			}
			continue
		}
		c := caps[i]
		if !containsWord(s.Body, w) && !containsWord(s.Body, c) && !containsWord(s.Title, w) && !containsWord(s.Title, c) {
			return false
		}
	}
	return true
}

// containsWord reports whether w occurs in text between non-alphanumeric
// ASCII bytes (or the ends).
func containsWord(text, w string) bool {
	for i := 0; i <= len(text)-len(w); {
		j := strings.Index(text[i:], w)
		if j < 0 {
			return false
		}
		j += i
		if !wordByte(text, j-1) && !wordByte(text, j+len(w)) {
			return true
		}
		i = j + 1
	}
	return false
}

func wordByte(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	c := s[i]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// capitalized returns w with its first letter in upper case.
func capitalized(w string) string {
	r, n := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + w[n:]
}

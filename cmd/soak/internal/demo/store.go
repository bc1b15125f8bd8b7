package demo

import (
	"context"
	"errors"
)

// Errors the storage returns; handlers map them to status codes.
var (
	// ErrNotFound: no such story (404).
	ErrNotFound = errors.New("demo: not found")
	// ErrBadCredentials: unknown username or wrong password (401).
	ErrBadCredentials = errors.New("demo: bad credentials")
	// ErrClosed: the service is closing (503).
	ErrClosed = errors.New("demo: service closed")
)

// Limits of list endpoints.
const (
	trendingLimit = 20  // stories in GET /api/discovery/trending
	trendingPool  = 300 // the hottest stories they are sampled from
	picksLimit    = 10  // random picks in GET /api/discovery/trending
	listLimit     = 20  // stories in search results and GET /api/stories/mine
	relatedLimit  = 5   // related slugs on a story page
)

// store is what the handlers need from storage. Implementations are safe
// for concurrent use; every method honours ctx.
type store interface {
	// ready checks that the storage answers (GET /health/ready).
	ready(ctx context.Context) error
	// authenticate returns the user whose password matches, or
	// ErrBadCredentials.
	authenticate(ctx context.Context, username, password string) (User, error)
	// user returns user id, or ErrNotFound.
	user(ctx context.Context, id int64) (User, error)
	// trending returns the limit best-scored stories.
	trending(ctx context.Context, limit int) ([]StorySummary, error)
	// storiesByID returns the stories with those ids that exist, in the
	// order given (the random picks of GET /api/discovery/trending).
	storiesByID(ctx context.Context, ids []int64) ([]StorySummary, error)
	// story returns the story with that slug and its related slugs, or
	// ErrNotFound.
	story(ctx context.Context, slug string) (Story, error)
	// storiesBy returns the newest stories of an author.
	storiesBy(ctx context.Context, authorID int64, limit int) ([]StorySummary, error)
	// createStory stores a story in one transaction with its author's
	// story count.
	createStory(ctx context.Context, authorID int64, s NewStory) (Story, error)
	// shelves returns a user's shelves in order.
	shelves(ctx context.Context, userID int64) ([]Shelf, error)
	// search returns the stories containing every word of q, best first.
	search(ctx context.Context, q string, limit int) ([]StorySummary, error)
	// createWhisper stores a whisper (and counts it on its story) in one
	// transaction; ErrNotFound when w.Story names no story.
	createWhisper(ctx context.Context, authorID int64, w NewWhisper) (Whisper, error)
	// bumpScore adds delta to a story's trending score.
	bumpScore(ctx context.Context, slug string, delta int64) error
	// close releases the storage's resources.
	close()
}

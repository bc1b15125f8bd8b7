package demo

import "time"

// User is a registered user as GET /api/users/me returns it.
type User struct {
	ID          int64     `json:"id"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	StoryCount  int       `json:"story_count"`
	CreatedAt   time.Time `json:"created_at"`
}

// StorySummary is a story as lists return it (trending, search, mine,
// picks): enough to open it by Slug.
type StorySummary struct {
	Slug         string    `json:"slug"`
	Title        string    `json:"title"`
	Author       string    `json:"author"`
	Tags         []string  `json:"tags"`
	Score        int64     `json:"score"`
	WhisperCount int       `json:"whisper_count"`
	PublishedAt  time.Time `json:"published_at"`
}

// Story is a full story page as GET /api/stories/:slug returns it.
// Related holds up to five slugs of stories sharing a tag, best first.
type Story struct {
	StorySummary
	Body    string   `json:"body"`
	Related []string `json:"related"`
}

// StoryRef names a story on a shelf.
type StoryRef struct {
	Slug   string `json:"slug"`
	Title  string `json:"title"`
	Author string `json:"author"`
}

// Shelf is one of a user's library shelves, newest addition first.
type Shelf struct {
	ID      int64      `json:"id"`
	Name    string     `json:"name"`
	Stories []StoryRef `json:"stories"`
}

// NewStory is the body of POST /api/stories.
type NewStory struct {
	Title string   `json:"title"`
	Body  string   `json:"body"`
	Tags  []string `json:"tags"`
}

// NewWhisper is the body of POST /api/whispers. Story is an optional slug
// the whisper is about.
type NewWhisper struct {
	Body  string `json:"body"`
	Story string `json:"story"`
}

// Whisper is a short post as POST /api/whispers returns it.
type Whisper struct {
	ID        int64     `json:"id"`
	Body      string    `json:"body"`
	Story     string    `json:"story,omitempty"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
}

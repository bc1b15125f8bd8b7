package demo

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// The seeded data set, identical in memory and in PostgreSQL. It is
// generated deterministically, so the same slugs and users exist on every
// run and every machine.
const (
	// SeedUsers is the number of seeded users, user0001 .. user1000.
	SeedUsers = 1000
	// SeedStories is the number of seeded stories, story-0001 .. story-5000.
	SeedStories = 5000
	// SeedPassword is the password of every seeded user.
	SeedPassword = "soak-demo"
	// ShelvesPerUser is the number of shelves each seeded user has
	// ("Reading", "Want to read", "Finished"), each with StoriesPerShelf
	// stories.
	ShelvesPerUser  = 3
	StoriesPerShelf = 3
)

// SeedUsername returns the username of seeded user i (1-based):
// SeedUsername(7) is "user0007".
func SeedUsername(i int) string { return fmt.Sprintf("user%04d", i) }

// StorySlug returns the slug of seeded story i (1-based):
// StorySlug(42) is "story-0042".
func StorySlug(i int) string { return fmt.Sprintf("story-%04d", i) }

// seedEpoch is when the newest seeded story was published; story i was
// published i*17 minutes earlier.
var seedEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

var shelfNames = [ShelvesPerUser]string{"Reading", "Want to read", "Finished"}

var genres = []string{
	"fantasy", "romance", "sci-fi", "mystery", "horror", "poetry", "drama", "comedy",
	"thriller", "historical", "adventure", "slice-of-life", "dystopia", "mythology",
	"cyberpunk", "fairy-tale",
}

// vocabulary is ordered from common to rare: bodies draw from it with a
// Zipf distribution, so searching for a word near the end matches few
// stories and one near the start matches most.
var vocabulary = strings.Fields(`
the a and of to in was she he it her his that with for on as at by from they
night light door road river house window city sea storm voice letter morning
winter garden shadow fire stone forest tower bridge train harbor market mountain
dream memory silence promise secret song map key mirror clock lantern crown ship
mother father sister brother stranger captain queen king witch soldier child
teacher thief doctor painter sailor farmer baker priest detective pilot
walked waited whispered remembered burned fell opened closed carried followed
found lost broke returned listened watched laughed cried wondered believed
old quiet bright cold broken hidden golden silver empty distant strange gentle
last first wild narrow deep heavy small endless ancient hollow restless
dragon lighthouse clockwork orchard comet glacier monastery carnival archive
telescope violin labyrinth observatory greenhouse caravan tapestry compass
ember raven fox wolf owl moth serpent whale heron stag
copper velvet amber ivory cobalt saffron obsidian jade scarlet indigo
midnight equinox solstice eclipse monsoon aurora tide ember-light
apothecary cartographer alchemist lamplighter clockmaker beekeeper ferryman
automaton zeppelin catacomb citadel menagerie conservatory
quasar nebula chrysalis filament ossuary reliquary palimpsest
`)

var titleAdjectives = strings.Fields(`Silent Broken Golden Hidden Last Distant Burning
Hollow Restless Gentle Crimson Forgotten Endless Wandering Quiet Secret Strange Ancient`)

var titleNouns = strings.Fields(`Lighthouse Orchard Comet Archive Violin Labyrinth Harbor
Garden Crown Lantern Compass Raven Tide Citadel River Winter Mirror Clockmaker Map Letter`)

// seedUser is one seeded user with its password hash.
type seedUser struct {
	User
	PasswordHash []byte
}

// seedStory is one seeded story; AuthorID is 1-based.
type seedStory struct {
	ID       int64
	AuthorID int64
	Slug     string
	Title    string
	Body     string
	Tags     []string
	Score    int64
	Time     time.Time
}

// seedShelf is one seeded shelf with the 1-based ids of its stories.
type seedShelf struct {
	ID       int64
	UserID   int64
	Position int
	Name     string
	Stories  []int64
}

// hashPassword derives the stored hash of a password; the username salts
// it. A demo does not need a slow KDF, and a slow one would make logins
// dominate a soak's CPU profile.
func hashPassword(username, password string) []byte {
	sum := sha256.Sum256([]byte(username + "\x00" + password))
	return sum[:]
}

// passwordMatches compares in constant time.
func passwordMatches(hash []byte, username, password string) bool {
	return subtle.ConstantTimeCompare(hash, hashPassword(username, password)) == 1
}

func seedUsers() []seedUser {
	users := make([]seedUser, SeedUsers)
	for i := range users {
		name := SeedUsername(i + 1)
		users[i] = seedUser{
			User: User{
				ID:          int64(i + 1),
				Username:    name,
				DisplayName: fmt.Sprintf("Demo User %d", i+1),
				StoryCount:  storiesOfAuthor(int64(i + 1)),
				CreatedAt:   seedEpoch.Add(-time.Duration(SeedUsers-i) * time.Hour),
			},
			PasswordHash: hashPassword(name, SeedPassword),
		}
	}
	return users
}

// authorOf returns the seeded author of seeded story id.
func authorOf(id int64) int64 { return (id-1)%SeedUsers + 1 }

func storiesOfAuthor(userID int64) int {
	n := SeedStories / SeedUsers
	if userID <= SeedStories%SeedUsers {
		n++
	}
	return n
}

// seedStories returns the seeded stories, freshly generated: the text of
// 5,000 bodies, about 22 MB, a second or more of CPU under the race
// detector. This package's TestMain replaces it with a copy of one
// generation per test binary (see main_test.go). Callers own the slice but
// must not modify the Tags of its stories in place.
var seedStories = generateSeedStories

// generateSeedStories builds the seeded stories from their fixed seeds.
func generateSeedStories() []seedStory {
	stories := make([]seedStory, SeedStories)
	for i := range stories {
		id := int64(i + 1)
		r := rand.New(rand.NewPCG(0x50a4, uint64(id)))
		tags := make([]string, 1+r.IntN(3))
		perm := r.Perm(len(genres))
		for j := range tags {
			tags[j] = genres[perm[j]]
		}
		stories[i] = seedStory{
			ID:       id,
			AuthorID: authorOf(id),
			Slug:     StorySlug(i + 1),
			Title: "The " + titleAdjectives[r.IntN(len(titleAdjectives))] + " " +
				titleNouns[r.IntN(len(titleNouns))],
			Body:  seedBody(r),
			Tags:  tags,
			Score: int64(r.IntN(1000)),
			Time:  seedEpoch.Add(-time.Duration(id) * 17 * time.Minute),
		}
	}
	return stories
}

// seedBody writes 500 to 1000 words in sentences of 6 to 16 words.
func seedBody(r *rand.Rand) string {
	zipf := rand.NewZipf(r, 1.5, 1, uint64(len(vocabulary)-1))
	var b strings.Builder
	words := 500 + r.IntN(501)
	for w := 0; w < words; {
		n := min(6+r.IntN(11), words-w)
		for j := 0; j < n; j++ {
			word := vocabulary[zipf.Uint64()]
			if j == 0 {
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(strings.ToUpper(word[:1]) + word[1:])
				continue
			}
			b.WriteByte(' ')
			b.WriteString(word)
		}
		b.WriteByte('.')
		w += n
	}
	return b.String()
}

func seedShelves() []seedShelf {
	shelves := make([]seedShelf, 0, SeedUsers*ShelvesPerUser)
	for u := int64(1); u <= SeedUsers; u++ {
		r := rand.New(rand.NewPCG(0x5e1f, uint64(u)))
		for p, name := range shelfNames {
			ids := make([]int64, StoriesPerShelf)
			for j := range ids {
				ids[j] = int64(1 + r.IntN(SeedStories))
			}
			shelves = append(shelves, seedShelf{
				ID:       int64(len(shelves) + 1),
				UserID:   u,
				Position: p,
				Name:     name,
				Stories:  dedupe(ids),
			})
		}
	}
	return shelves
}

func dedupe(ids []int64) []int64 {
	var out []int64
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

package demo

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
)

// api holds what the route handlers share. Safe for concurrent use.
type api struct {
	store    store
	tokens   *tokens
	pages    *pageCache
	whispers *whisperPool
	faults   *faultState
	pool     *pgxpool.Pool // nil without a database
	storage  string        // "memory" or "postgres"
	cache    string        // "redis" or "none"
	now      func() time.Time
}

// storeError maps storage errors to HTTP errors.
func storeError(err error, notFound string) error {
	switch {
	case errors.Is(err, ErrNotFound):
		return echo.NewHTTPError(http.StatusNotFound, notFound)
	case errors.Is(err, ErrClosed):
		return echo.NewHTTPError(http.StatusServiceUnavailable, "service is shutting down").SetInternal(err)
	}
	return err
}

// Service is what /health names the demo, so that whoever is about to
// load http://127.0.0.1:8000 can check it is the demo answering there,
// not another service.
const ServiceName = "soak-demo"

func (a *api) health(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "service": ServiceName})
}

func (a *api) ready(c echo.Context) error {
	if err := a.store.ready(c.Request().Context()); err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{
			"status": "unavailable", "storage": a.storage, "cache": a.cache, "error": err.Error(),
		})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready", "storage": a.storage, "cache": a.cache})
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      User      `json:"user"`
}

func (a *api) login(c echo.Context) error {
	var in loginRequest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"username", in.Username}, {"password", in.Password}} {
		if f.v == "" {
			return badRequest("%s: required", f.name)
		}
		if len(f.v) > maxCredential {
			return badRequest("%s: longer than %d bytes", f.name, maxCredential)
		}
	}
	u, err := a.store.authenticate(c.Request().Context(), in.Username, in.Password)
	if errors.Is(err, ErrBadCredentials) {
		return echo.NewHTTPError(http.StatusUnauthorized, "invalid username or password")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, loginResponse{
		Token: a.tokens.issue(u.ID), ExpiresAt: a.now().Add(tokenTTL).UTC().Truncate(time.Second), User: u,
	})
}

func (a *api) me(c echo.Context) error {
	u, err := a.store.user(c.Request().Context(), currentUser(c))
	if err != nil {
		return storeError(err, "user not found")
	}
	return c.JSON(http.StatusOK, u)
}

type trendingResponse struct {
	Stories []StorySummary `json:"stories"`
	Picks   []StorySummary `json:"picks"`
}

func (a *api) trending(c echo.Context) error {
	ctx := c.Request().Context()
	a.faults.onTrending()
	a.faults.onTrendingSlow(ctx)
	hot, err := a.store.trending(ctx, trendingPool)
	if err != nil {
		return storeError(err, "")
	}
	picks, err := a.store.storiesByID(ctx, randomStoryIDs(picksLimit))
	if err != nil {
		return storeError(err, "")
	}
	return c.JSON(http.StatusOK, trendingResponse{Stories: sample(hot, trendingLimit), Picks: picks})
}

// sample returns n stories of hot chosen uniformly, in hot's order (best
// score first). Sampling spreads readers over the hot set, as feeds that
// diversify do, so story reads touch hundreds of pages, not twenty.
func sample(hot []StorySummary, n int) []StorySummary {
	if len(hot) <= n {
		return nonNil(hot)
	}
	idx := rand.Perm(len(hot))[:n]
	slices.Sort(idx)
	out := make([]StorySummary, n)
	for i, j := range idx {
		out[i] = hot[j]
	}
	return out
}

// randomStoryIDs returns n distinct ids of seeded stories, uniformly.
func randomStoryIDs(n int) []int64 {
	ids := make([]int64, 0, n)
	for len(ids) < n {
		id := 1 + rand.Int64N(SeedStories)
		dup := false
		for _, o := range ids {
			dup = dup || o == id
		}
		if !dup {
			ids = append(ids, id)
		}
	}
	return ids
}

// story serves a story page from the in-process page cache, rendering it
// from the store on a miss.
func (a *api) story(c echo.Context) error {
	slug := c.Param("slug")
	if !validToken(slug, maxSlugLen) {
		return echo.NewHTTPError(http.StatusNotFound, "story not found")
	}
	now := a.now()
	page, ok := a.pages.get(slug, now)
	if !ok {
		s, err := a.store.story(c.Request().Context(), slug)
		if err != nil {
			return storeError(err, "story not found")
		}
		if page, err = json.Marshal(s); err != nil {
			return err
		}
		a.pages.put(slug, page, now)
	}
	a.faults.onStoryView(page)
	return c.JSONBlob(http.StatusOK, page)
}

type storiesResponse struct {
	Stories []StorySummary `json:"stories"`
}

func (a *api) mine(c echo.Context) error {
	list, err := a.store.storiesBy(c.Request().Context(), currentUser(c), listLimit)
	if err != nil {
		return storeError(err, "")
	}
	return c.JSON(http.StatusOK, storiesResponse{Stories: nonNil(list)})
}

func (a *api) createStory(c echo.Context) error {
	in, err := bind(c, checkNewStory)
	if err != nil {
		return err
	}
	s, err := a.store.createStory(c.Request().Context(), currentUser(c), in)
	if err != nil {
		return storeError(err, "user not found")
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/stories/"+s.Slug)
	return c.JSON(http.StatusCreated, s)
}

type shelvesResponse struct {
	Shelves []Shelf `json:"shelves"`
}

func (a *api) shelves(c echo.Context) error {
	ctx := c.Request().Context()
	a.faults.onShelves(ctx, a.pool)
	list, err := a.store.shelves(ctx, currentUser(c))
	if err != nil {
		return storeError(err, "")
	}
	if list == nil {
		list = []Shelf{}
	}
	return c.JSON(http.StatusOK, shelvesResponse{Shelves: list})
}

type searchResponse struct {
	Query   string         `json:"query"`
	Stories []StorySummary `json:"stories"`
}

func (a *api) search(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	if err := checkText("q", q, maxQueryRunes, false); err != nil {
		return err
	}
	list, err := a.store.search(c.Request().Context(), q, listLimit)
	if err != nil {
		return storeError(err, "")
	}
	return c.JSON(http.StatusOK, searchResponse{Query: q, Stories: nonNil(list)})
}

func (a *api) createWhisper(c echo.Context) error {
	in, err := bind(c, checkNewWhisper)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	w, err := a.store.createWhisper(ctx, currentUser(c), in)
	if err != nil {
		return storeError(err, "story not found")
	}
	if err := a.whispers.enqueue(ctx, w.Story); err != nil {
		return storeError(err, "")
	}
	return c.JSON(http.StatusCreated, w)
}

func nonNil(list []StorySummary) []StorySummary {
	if list == nil {
		return []StorySummary{}
	}
	return list
}

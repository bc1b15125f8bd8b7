package demo

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// TTLs of the Redis read-through cache.
const (
	TrendingTTL  = 10 * time.Second // trending list
	StoryPageTTL = 5 * time.Minute  // story pages
)

// redisCache puts Redis in front of a store as a read-through cache of the
// trending list and of story pages: a GET that misses loads from the store
// and SETs the JSON with a TTL. Writes do not invalidate; cached values are
// at most their TTL stale. When Redis fails, reads fall through to the
// store and the failure is logged, so a Redis outage slows the service
// rather than breaking it. All keys start with prefix.
type redisCache struct {
	store
	rdb    *redis.Client
	prefix string
	log    *slog.Logger
}

// readThrough returns the value cached under key, or loads, caches and
// returns it.
func readThrough[T any](ctx context.Context, c *redisCache, key string, ttl time.Duration, load func() (T, error)) (T, error) {
	raw, err := c.rdb.Get(ctx, key).Bytes()
	if err == nil {
		var v T
		if err := json.Unmarshal(raw, &v); err == nil {
			return v, nil
		}
		c.log.Warn("demo: undecodable value in Redis; reloading", "key", key)
	} else if !errors.Is(err, redis.Nil) {
		if ctx.Err() != nil {
			var zero T
			return zero, ctx.Err()
		}
		c.log.Warn("demo: Redis GET failed; reading the store", "key", key, "err", err)
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	if raw, err := json.Marshal(v); err == nil {
		if err := c.rdb.Set(ctx, key, raw, ttl).Err(); err != nil && ctx.Err() == nil {
			c.log.Warn("demo: Redis SET failed", "key", key, "err", err)
		}
	}
	return v, nil
}

func (c *redisCache) trending(ctx context.Context, limit int) ([]StorySummary, error) {
	return readThrough(ctx, c, c.prefix+"trending:"+strconv.Itoa(limit), TrendingTTL,
		func() ([]StorySummary, error) { return c.store.trending(ctx, limit) })
}

func (c *redisCache) story(ctx context.Context, slug string) (Story, error) {
	return readThrough(ctx, c, c.prefix+"story:"+slug, StoryPageTTL,
		func() (Story, error) { return c.store.story(ctx, slug) })
}

func (c *redisCache) ready(ctx context.Context) error {
	if err := c.store.ready(ctx); err != nil {
		return err
	}
	if err := c.rdb.Ping(ctx).Err(); err != nil {
		return errors.New("redis: " + err.Error())
	}
	return nil
}

func (c *redisCache) close() {
	c.store.close()
	_ = c.rdb.Close()
}

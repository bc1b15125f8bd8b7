package demo

import (
	"container/list"
	"sync"
	"time"
)

// pageCache is a bounded LRU of rendered story pages (JSON bytes) keyed by
// slug. It fills while a soak warms up and then stays at capacity: the
// heap it holds grows and then flattens, which a leak detector must call a
// plateau and not a leak. Entries older than ttl are re-rendered on their
// next read, so that counters on a page are at most ttl stale. Safe for
// concurrent use.
type pageCache struct {
	mu       sync.Mutex
	capacity int
	ttl      time.Duration
	order    *list.List // front is most recently used
	entries  map[string]*list.Element
	stats    cacheStats
}

type pageEntry struct {
	key     string
	page    []byte
	expires time.Time
}

// cacheStats counts a cache's traffic; read under the cache's lock.
type cacheStats struct {
	Hits, Misses, Evictions uint64
}

func newPageCache(capacity int, ttl time.Duration) *pageCache {
	return &pageCache{
		capacity: capacity,
		ttl:      ttl,
		order:    list.New(),
		entries:  make(map[string]*list.Element, capacity),
	}
}

// get returns the page cached for key if it is younger than ttl.
func (c *pageCache) get(key string, now time.Time) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok || now.After(el.Value.(*pageEntry).expires) {
		c.stats.Misses++
		return nil, false
	}
	c.stats.Hits++
	c.order.MoveToFront(el)
	return el.Value.(*pageEntry).page, true
}

// put stores page under key, evicting the least recently used entry when
// the cache is full. page must not be modified afterwards.
func (c *pageCache) put(key string, page []byte, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		e := el.Value.(*pageEntry)
		e.page, e.expires = page, now.Add(c.ttl)
		c.order.MoveToFront(el)
		return
	}
	if c.order.Len() >= c.capacity {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.entries, oldest.Value.(*pageEntry).key)
		c.stats.Evictions++
	}
	c.entries[key] = c.order.PushFront(&pageEntry{key: key, page: page, expires: now.Add(c.ttl)})
}

// len returns the number of cached pages, at most the capacity.
func (c *pageCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// snapshot returns the traffic counters so far.
func (c *pageCache) snapshot() cacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

package demo

import (
	"container/list"
	"sync"
	"time"

	"github.com/soaklab/soak/probe"
)

// pageCache is a bounded LRU of rendered story pages (JSON bytes) keyed by
// slug. It fills while a soak warms up and then stays at capacity: the
// heap it holds grows and then flattens, which a leak detector must call a
// plateau and not a leak. Entries older than ttl are re-rendered on their
// next read, so that counters on a page are at most ttl stale. Safe for
// concurrent use.
//
// It is declared to the probe by [probe.Probe.CacheFunc], as a service
// that does not want to touch its cache's code would: the probe reads its
// entries, capacity and the bytes of the pages held at each snapshot; its
// lookups count hits, misses and evictions on the recorder CacheFunc
// returns.
type pageCache struct {
	mu       sync.Mutex
	capacity int
	ttl      time.Duration
	order    *list.List // front is most recently used
	entries  map[string]*list.Element
	bytes    int64 // sum of len(page) over entries
	rec      *probe.CacheStats
}

type pageEntry struct {
	key     string
	page    []byte
	expires time.Time
}

// pageCacheName is the name of the page cache in the probe's snapshot.
const pageCacheName = "story-pages"

// newPageCache returns an empty cache of capacity pages, declared to p
// under name.
func newPageCache(capacity int, ttl time.Duration, p *probe.Probe, name string) *pageCache {
	c := &pageCache{
		capacity: capacity,
		ttl:      ttl,
		order:    list.New(),
		entries:  make(map[string]*list.Element, capacity),
	}
	c.rec = p.CacheFunc(name, c.stats)
	return c
}

// stats returns the cache's size for the probe's snapshot.
func (c *pageCache) stats() probe.CacheSnapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	return probe.CacheSnapshot{Entries: int64(c.order.Len()), CapacityEntries: int64(c.capacity), UsedBytes: c.bytes}
}

// get returns the page cached for key if it is younger than ttl.
func (c *pageCache) get(key string, now time.Time) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok || now.After(el.Value.(*pageEntry).expires) {
		c.rec.Miss()
		return nil, false
	}
	c.rec.Hit()
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
		c.bytes += int64(len(page) - len(e.page))
		e.page, e.expires = page, now.Add(c.ttl)
		c.order.MoveToFront(el)
		return
	}
	if c.order.Len() >= c.capacity {
		oldest := c.order.Back()
		e := oldest.Value.(*pageEntry)
		c.order.Remove(oldest)
		delete(c.entries, e.key)
		c.bytes -= int64(len(e.page))
		c.rec.Evicted(1)
	}
	c.entries[key] = c.order.PushFront(&pageEntry{key: key, page: page, expires: now.Add(c.ttl)})
	c.bytes += int64(len(page))
}

// len returns the number of cached pages, at most the capacity.
func (c *pageCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

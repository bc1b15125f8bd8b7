package probe

import (
	"sync/atomic"
)

// OverflowCache is the name under which caches beyond the table's limit
// (64 by default) are recorded together.
const OverflowCache = "(other caches)"

// Cache kinds reported in [CacheSnapshot.Kind].
const (
	CacheInProcess = "in-process" // recorded by the service through [CacheStats]
	CacheRedis     = "redis"      // fed by probe/redisprobe's hook and INFO
)

// CacheStats records the figures of one cache as the service sees it: hits,
// misses and how full it is. The service calls Hit and Miss on its lookups
// and the Set* gauges when they change. All methods are safe for
// concurrent use and do not allocate.
//
// Redis clients instrumented with probe/redisprobe feed a CacheStats of kind
// [CacheRedis] themselves, so the report's "cache hit rate" row reads the
// same figures for both kinds.
type CacheStats struct {
	name, kind string

	hits      atomic.Uint64
	misses    atomic.Uint64
	evictions atomic.Uint64
	entries   atomic.Int64
	capacity  atomic.Int64
	usedBytes atomic.Int64
	maxBytes  atomic.Int64

	fn cacheFunc // declared by Probe.CacheFunc
}

// Cache returns the recorder for the in-process cache called name, creating
// it on first use. Beyond 64 names, caches share the [OverflowCache] entry.
// It is CacheOf(CacheInProcess, name).
func (p *Probe) Cache(name string) *CacheStats { return p.CacheOf(CacheInProcess, name) }

// CacheOf returns the recorder for the cache called name of kind
// ([CacheInProcess], [CacheRedis], or an integration's own), creating it on
// first use; beyond 64 caches, those of a kind share its [OverflowCache]
// entry. Integrations feed theirs: probe/redisprobe records each client's
// cache reads in one of kind CacheRedis.
func (p *Probe) CacheOf(kind, name string) *CacheStats {
	p.init()
	r := &p.caches
	r.mu.Lock()
	defer r.mu.Unlock()
	var overflow *CacheStats
	for _, c := range r.items {
		if c.name == name && c.kind == kind {
			return c
		}
		if c.name == OverflowCache {
			overflow = c
		}
	}
	if len(r.items) >= r.max {
		if overflow == nil {
			overflow = &CacheStats{name: OverflowCache, kind: kind}
			r.items = append(r.items, overflow)
		}
		return overflow
	}
	c := &CacheStats{name: name, kind: kind}
	r.items = append(r.items, c)
	return c
}

// Hit counts one lookup that found its entry.
func (c *CacheStats) Hit() { c.hits.Add(1) }

// Miss counts one lookup that did not find its entry.
func (c *CacheStats) Miss() { c.misses.Add(1) }

// Add counts hits and misses at once (for multi-key lookups).
func (c *CacheStats) Add(hits, misses uint64) {
	if hits > 0 {
		c.hits.Add(hits)
	}
	if misses > 0 {
		c.misses.Add(misses)
	}
}

// Evicted counts n entries evicted to make room (not expiries).
func (c *CacheStats) Evicted(n uint64) { c.evictions.Add(n) }

// SetEntries sets the number of entries the cache holds now.
func (c *CacheStats) SetEntries(n int64) { c.entries.Store(n) }

// SetCapacity sets the most entries the cache may hold (0 = unbounded or
// not known).
func (c *CacheStats) SetCapacity(n int64) { c.capacity.Store(n) }

// SetUsedBytes sets the memory the cache uses now, in bytes.
func (c *CacheStats) SetUsedBytes(n int64) { c.usedBytes.Store(n) }

// SetMaxBytes sets the memory the cache may use, in bytes (0 = unbounded or
// not known).
func (c *CacheStats) SetMaxBytes(n int64) { c.maxBytes.Store(n) }

// Snapshot returns the cache's figures now.
func (c *CacheStats) Snapshot() CacheSnapshot {
	s := CacheSnapshot{
		Name:            c.name,
		Kind:            c.kind,
		Hits:            c.hits.Load(),
		Misses:          c.misses.Load(),
		Evictions:       c.evictions.Load(),
		Entries:         c.entries.Load(),
		CapacityEntries: c.capacity.Load(),
		UsedBytes:       c.usedBytes.Load(),
		MaxBytes:        c.maxBytes.Load(),
	}
	if n := s.Hits + s.Misses; n > 0 {
		s.HitRatio = float64(s.Hits) / float64(n)
	}
	return s
}

package probe

import (
	"sync"
	"sync/atomic"
)

// cowMap is a bounded, copy-on-write map for tables read on hot paths and
// written rarely (routes, Redis commands, statements): a lookup is one
// atomic load and a map read, with no lock and no allocation; an insert
// copies the map under a mutex. Entries are never removed.
type cowMap[K comparable, V any] struct {
	mu    sync.Mutex
	m     atomic.Pointer[map[K]V]
	order []V // insertion order, under mu
}

// load returns the value for k, if present. Safe on the zero cowMap.
func (c *cowMap[K, V]) load(k K) (V, bool) {
	if m := c.m.Load(); m != nil {
		v, ok := (*m)[k]
		return v, ok
	}
	var zero V
	return zero, false
}

// loadOrCreate returns the value for k, creating it with create when the
// map holds fewer than max entries; otherwise it returns (zero, false).
func (c *cowMap[K, V]) loadOrCreate(k K, max int, create func() V) (V, bool) {
	if v, ok := c.load(k); ok {
		return v, true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var old map[K]V
	if m := c.m.Load(); m != nil {
		old = *m
	}
	if v, ok := old[k]; ok {
		return v, true
	}
	if len(old) >= max {
		var zero V
		return zero, false
	}
	v := create()
	m := make(map[K]V, len(old)+1)
	for k2, v2 := range old {
		m[k2] = v2
	}
	m[k] = v
	c.m.Store(&m)
	c.order = append(c.order, v)
	return v, true
}

// values returns the values in insertion order.
func (c *cowMap[K, V]) values() []V {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]V(nil), c.order...)
}

// len returns the number of entries.
func (c *cowMap[K, V]) len() int {
	if m := c.m.Load(); m != nil {
		return len(*m)
	}
	return 0
}

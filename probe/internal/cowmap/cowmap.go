// Package cowmap is the bounded, copy-on-write map behind the probe's
// tables that are read on hot paths and written rarely (routes, stacks,
// SQL statements, Redis commands). It is shared by the probe core and its
// integrations.
package cowmap

import (
	"sync"
	"sync/atomic"
)

// Map is a bounded, copy-on-write map: a lookup is one atomic load and a
// map read, with no lock and no allocation; an insert copies the map under
// a mutex. Entries are never removed. The zero Map is empty and ready to
// use; all methods are safe for concurrent use.
type Map[K comparable, V any] struct {
	mu    sync.Mutex
	m     atomic.Pointer[map[K]V]
	order []V // insertion order, under mu
}

// Load returns the value for k, if present.
func (c *Map[K, V]) Load(k K) (V, bool) {
	if m := c.m.Load(); m != nil {
		v, ok := (*m)[k]
		return v, ok
	}
	var zero V
	return zero, false
}

// LoadOrCreate returns the value for k, creating it with create when the
// map holds fewer than max entries; otherwise it returns (zero, false).
func (c *Map[K, V]) LoadOrCreate(k K, max int, create func() V) (V, bool) {
	if v, ok := c.Load(k); ok {
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

// Values returns the values in insertion order.
func (c *Map[K, V]) Values() []V {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]V(nil), c.order...)
}

// Len returns the number of entries.
func (c *Map[K, V]) Len() int {
	if m := c.m.Load(); m != nil {
		return len(*m)
	}
	return 0
}

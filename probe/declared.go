package probe

import (
	"cmp"
	"slices"
	"sync"
)

// declared is a bounded table of what a service declared to the probe, by
// name: rate-limit policies, absent components. The zero value is empty;
// it is safe for concurrent use.
type declared[K ~string, V any] struct {
	mu sync.Mutex
	m  map[K]V
}

// set stores v under k, replacing what k held; it refuses (false) a new k
// when the table holds max names already.
func (d *declared[K, V]) set(k K, v V, max int) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.m[k]; !ok && len(d.m) >= max {
		return false
	}
	if d.m == nil {
		d.m = map[K]V{}
	}
	d.m[k] = v
	return true
}

// sorted returns the names in order and their values; nil, nil (and no
// allocation: every snapshot asks) when nothing was declared.
func (d *declared[K, V]) sorted() ([]K, []V) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.m) == 0 {
		return nil, nil
	}
	keys := make([]K, 0, len(d.m))
	for k := range d.m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, cmp.Compare[K])
	vals := make([]V, len(keys))
	for i, k := range keys {
		vals[i] = d.m[k]
	}
	return keys, vals
}

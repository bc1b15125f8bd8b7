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

// each calls f with every name and its value, in name order.
func (d *declared[K, V]) each(f func(K, V)) {
	d.mu.Lock()
	keys := make([]K, 0, len(d.m))
	for k := range d.m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, cmp.Compare[K])
	vals := make([]V, len(keys))
	for i, k := range keys {
		vals[i] = d.m[k]
	}
	d.mu.Unlock()
	for i, k := range keys {
		f(k, vals[i])
	}
}

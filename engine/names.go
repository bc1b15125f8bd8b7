package engine

import "sync"

// DefaultMaxNames is the bound on the distinct (method, name) pairs a run
// records when Plan.MaxNames is 0.
const DefaultMaxNames = 1000

// OtherName is the Name under which a run records the requests of every
// (method, name) pair beyond Plan.MaxNames, one Stat per method, as
// Prometheus exporters fold unbounded label values into one. Its requests
// are counted exactly like any other's: nothing is dropped.
const OtherName = "(other)"

// names decides which (method, name) pairs a run records under their own
// name: the first max distinct pairs seen. The decision is made once per
// pair and never changes (the cap never frees a place), so a pair's
// requests are never split between its own Stat and the overflow's.
//
// Shards ask only when a pair is missing from their bucket, which keeps
// the pairs it admitted from interval to interval: an admitted pair is
// looked up here at most twice per shard for the whole run. A refused
// pair is looked up on each of its requests, under the read lock. Safe
// for concurrent use.
type names struct {
	mu    sync.RWMutex
	known map[statKey]struct{}
	max   int
}

func newNames(max int) *names {
	return &names{known: map[statKey]struct{}{}, max: max}
}

// resolve returns k when k is, or may now become, one of the recorded
// pairs, else (k.method, OtherName).
func (n *names) resolve(k statKey) statKey {
	n.mu.RLock()
	_, ok := n.known[k]
	full := len(n.known) >= n.max
	n.mu.RUnlock()
	switch {
	case ok:
		return k
	case full:
		return statKey{k.method, OtherName}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.known[k]; !ok {
		if len(n.known) >= n.max {
			return statKey{k.method, OtherName}
		}
		n.known[k] = struct{}{}
	}
	return k
}

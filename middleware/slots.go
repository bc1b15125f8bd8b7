package middleware

import (
	"hash/maphash"
	"sync/atomic"
)

// slotTable is a bounded, lock-free cache of entries E keyed by K: a
// direct-mapped table of atomic pointers, where a key's entry lives in the
// slot its hash picks and an entry whose key collides replaces the one
// there. The entry holds its key, which callers compare on load. Its
// memory is the slots plus what they point to. Safe for concurrent use.
// The [Labeler]'s label sets and parsed header values, and the net/http
// middleware's route hints, are kept in them.
type slotTable[K comparable, E any] struct {
	seed  maphash.Seed
	slots []atomic.Pointer[E]
}

// newSlotTable returns an empty table of n slots, n a power of two.
func newSlotTable[K comparable, E any](n int) slotTable[K, E] {
	return slotTable[K, E]{seed: maphash.MakeSeed(), slots: make([]atomic.Pointer[E], n)}
}

// slot returns the slot of k.
func (t *slotTable[K, E]) slot(k K) *atomic.Pointer[E] {
	return &t.slots[maphash.Comparable(t.seed, k)&uint64(len(t.slots)-1)]
}

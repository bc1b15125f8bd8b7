// Package stripe spreads the counters that every request writes over a few
// stripes, one cache-line block each, and gives each processor (P) its own:
// two cores recording requests at once then write different cache lines,
// instead of passing one line back and forth on every request (each pass
// costs a core tens to hundreds of nanoseconds, more the more cores
// share the line). Readers add the stripes up.
package stripe

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Max bounds [Count]: a striped block costs Count × its size (128 bytes
// for a route's counters), whatever the machine's size.
const Max = 16

// Count is the number of stripes, a power of two: GOMAXPROCS at start-up
// rounded up, from 1 to [Max]. When GOMAXPROCS later grows past it, some
// processors share a stripe, which costs speed, never a count.
var Count = count(runtime.GOMAXPROCS(0))

func count(procs int) int {
	n := 1
	for n < procs && n < Max {
		n *= 2
	}
	return n
}

// token carries a stripe index. sync.Pool keeps one per P, so a goroutine
// gets the index of the P it runs on, usually the same one every time.
type token struct{ i int }

var (
	next   atomic.Uint32
	tokens = sync.Pool{New: func() any { return &token{i: int(next.Add(1)-1) & (Count - 1)} }}
)

// Index returns a stripe in [0, Count) for the calling goroutine: the same
// one for most calls from one P, a different one per P while there are
// fewer Ps than stripes (a P whose token the garbage collector dropped
// takes the next index). Any index is correct; only speed depends on it.
// Safe for concurrent use; about 6 ns (BenchmarkIndex), no allocation once
// warm.
func Index() int {
	if Count == 1 {
		return 0
	}
	t := tokens.Get().(*token)
	i := t.i
	tokens.Put(t)
	return i
}

// Int64 is a striped counter (or gauge: Add may take negative deltas).
// Make it with [NewInt64]; safe for concurrent use.
type Int64 struct{ s []paddedInt64 }

// paddedInt64 fills a 128-byte block: the adjacent-line prefetcher of
// many x86 cores moves lines in pairs.
type paddedInt64 struct {
	v atomic.Int64
	_ [120]byte
}

// NewInt64 returns a zero Int64 of [Count] stripes.
func NewInt64() *Int64 { return &Int64{s: make([]paddedInt64, Count)} }

// Add adds d on the calling goroutine's stripe.
func (c *Int64) Add(d int64) { c.s[Index()].v.Add(d) }

// AddAt adds d on stripe i (an [Index] the caller already holds).
func (c *Int64) AddAt(i int, d int64) { c.s[i].v.Add(d) }

// Load returns the sum of the stripes. Concurrent Adds may or may not be
// included, each whole.
func (c *Int64) Load() int64 {
	var n int64
	for i := range c.s {
		n += c.s[i].v.Load()
	}
	return n
}

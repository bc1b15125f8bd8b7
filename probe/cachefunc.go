package probe

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// CacheFuncTimeout bounds how long a snapshot waits for the cache
// callbacks ([Probe.CacheFunc]), all of them together. A callback still running past it is left to
// finish on its own goroutine; until it returns, snapshots report the
// cache's last figures and say so in Snapshot.Errors, and no second call
// is started, so a callback that blocks costs one goroutine, not one per
// snapshot.
const CacheFuncTimeout = 100 * time.Millisecond

// CacheFunc declares the cache called name (kind [CacheInProcess]) by a
// callback the probe calls at each snapshot, so that a service can report
// a cache it does not want to instrument call by call: the callback
// returns the cache's figures now, typically Entries and CapacityEntries
// (the most entries it may hold; 0 = unbounded), and UsedBytes and
// MaxBytes where known. soak's memory-leak detector reads them: heap
// growth that a declared bound explains (entries rising toward capacity)
// is not a leak.
//
// The callback's Name, Kind and HitRatio are ignored (the probe sets
// them). Its gauges replace those set on the recorder; its Hits, Misses
// and Evictions replace the recorder's unless it leaves them 0, so a
// service may count lookups with the returned recorder's Hit and Miss and
// report sizes by callback.
//
// The callback runs on a goroutine of the probe, at most once at a time,
// bounded by [CacheFuncTimeout] and the snapshot's context; a panic in it
// is recovered and reported in Snapshot.Errors, never raised in the
// service. It must be safe to call concurrently with the cache's use
// (take the cache's lock, read its sizes, return). Declaring name again
// replaces the callback; a nil fn removes it. Beyond the table's limit
// (64 caches) the callback is not kept and the [OverflowCache] recorder
// is returned. It returns the cache's recorder.
func (p *Probe) CacheFunc(name string, fn func() CacheSnapshot) *CacheStats {
	c := p.CacheOf(CacheInProcess, name)
	if c.name == OverflowCache && name != OverflowCache {
		return c
	}
	c.fn.mu.Lock()
	if fn == nil {
		c.fn.fn = nil
	} else {
		c.fn.fn = &fn
	}
	c.fn.mu.Unlock()
	return c
}

// cacheFunc is a cache's callback and the state of its calls.
type cacheFunc struct {
	mu       sync.Mutex
	fn       *func() CacheSnapshot // nil: no callback
	inFlight bool                  // a call has not returned yet
	last     CacheSnapshot         // the last figures a call returned
	lastErr  string                // the last call's panic, "" if none
	done     chan struct{}         // closed when the call in flight returns
}

// read calls the callback (or joins the call still in flight) and
// returns its figures, waiting until deadline at most, whether the callback is declared, and what went
// wrong ("" if nothing): a panic, or a call that did not return in time
// (the figures are then the last call's).
func (cf *cacheFunc) read(ctx context.Context, deadline time.Time) (CacheSnapshot, bool, string) {
	cf.mu.Lock()
	if cf.fn == nil {
		cf.mu.Unlock()
		return CacheSnapshot{}, false, ""
	}
	if !cf.inFlight {
		cf.inFlight = true
		cf.done = make(chan struct{})
		go cf.call(*cf.fn, cf.done)
	}
	done := cf.done
	cf.mu.Unlock()
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	why := ""
	select {
	case <-done:
	case <-t.C:
		why = fmt.Sprintf("callback did not return within %s: the last figures are shown", CacheFuncTimeout)
	case <-ctx.Done():
		why = "callback did not return before the snapshot's deadline: the last figures are shown"
	}
	cf.mu.Lock()
	defer cf.mu.Unlock()
	if why == "" {
		why = cf.lastErr
	}
	return cf.last, true, why
}

// call runs fn once, recovering a panic, and records its result.
func (cf *cacheFunc) call(fn func() CacheSnapshot, done chan struct{}) {
	var got CacheSnapshot
	perr := ""
	func() {
		defer func() {
			if r := recover(); r != nil {
				perr = fmt.Sprintf("callback panicked: %v", r)
			}
		}()
		got = fn()
	}()
	cf.mu.Lock()
	if perr == "" {
		cf.last = got
	}
	cf.lastErr = perr
	cf.inFlight = false
	cf.mu.Unlock()
	close(done)
}

// merge lays the callback's figures over the recorder's s.
func (s *CacheSnapshot) merge(cb CacheSnapshot) {
	s.Entries, s.CapacityEntries, s.UsedBytes, s.MaxBytes = cb.Entries, cb.CapacityEntries, cb.UsedBytes, cb.MaxBytes
	if cb.Hits != 0 || cb.Misses != 0 {
		s.Hits, s.Misses = cb.Hits, cb.Misses
	}
	if cb.Evictions != 0 {
		s.Evictions = cb.Evictions
	}
	s.HitRatio = 0
	if n := s.Hits + s.Misses; n > 0 {
		s.HitRatio = float64(s.Hits) / float64(n)
	}
}

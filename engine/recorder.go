package engine

import (
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/soaklab/soak/internal/redact"
)

// recorder collects what users record. It is sharded so that users on
// different cores rarely share a lock: a user always records into shard
// ID mod len(shards). Each shard double-buffers its current interval, so
// the collector swaps a buffer out in O(1) under the lock and merges it
// outside. Buffers keep their maps and histogram storage from interval to
// interval: recording a request allocates nothing once its (method, name)
// has been seen in that shard.
type recorder struct {
	shards    []shard
	maxErrors int
}

type shard struct {
	mu    sync.Mutex
	cur   *bucket
	spare *bucket
	names *names   // the run's recorded (method, name) pairs, shared by every shard
	_     [32]byte // keep neighbouring shards' locks on separate cache lines
}

type statKey struct{ method, name string }

type errKey struct {
	method, name, msg string
	list              errList
}

// errList is the list of an Interval an aggregated error goes to.
type errList uint8

const (
	listErrors     errList = iota // failed requests: Interval.Errors
	listExceptions                // task errors: Interval.Exceptions
	listQuits                     // users that quit: Interval.Quits
)

// bucket is one shard's share of one interval.
type bucket struct {
	stats    map[statKey]*Stat
	errs     map[errKey]*ErrorStat
	overflow int64
}

func newBucket() *bucket {
	return &bucket{stats: map[statKey]*Stat{}, errs: map[errKey]*ErrorStat{}}
}

// shardCount is 2x the cores, at least 4, at most 64.
func shardCount() int { return min(max(2*runtime.GOMAXPROCS(0), 4), 64) }

// newRecorder returns a recorder of n shards that keeps at most
// maxErrors distinct errors per interval and records at most maxNames
// distinct (method, name) pairs (see names).
func newRecorder(n, maxErrors, maxNames int) *recorder {
	r := &recorder{shards: make([]shard, n), maxErrors: maxErrors}
	nm := newNames(maxNames)
	for i := range r.shards {
		r.shards[i].cur, r.shards[i].spare, r.shards[i].names = newBucket(), newBucket(), nm
	}
	return r
}

func (r *recorder) shardFor(id int) *shard { return &r.shards[id%len(r.shards)] }

// outcome is how one request ended.
type outcome struct {
	us, bytes int64
	kind      Kind
	failed    bool
	limited   bool
}

// stat returns the Stat that records k's requests in the current bucket,
// and the key it is recorded under: k, or (method, OtherName) once the
// run records as many pairs as it may.
func (s *shard) stat(k statKey) (*Stat, statKey) {
	if st := s.cur.stats[k]; st != nil {
		return st, k
	}
	k = s.names.resolve(k)
	st := s.cur.stats[k]
	if st == nil {
		st = &Stat{Method: k.method, Name: k.name}
		s.cur.stats[k] = st
	}
	return st, k
}

// record adds one completed request; it returns the key it was recorded
// under (see stat), for its error.
func (s *shard) record(k statKey, o outcome) statKey {
	s.mu.Lock()
	st, k := s.stat(k)
	st.record(o.us, o.bytes, o.kind, o.failed, o.limited)
	s.mu.Unlock()
	return k
}

// abort counts a request cut short by the run's end.
func (s *shard) abort(k statKey) {
	s.mu.Lock()
	st, _ := s.stat(k)
	st.Aborted++
	s.mu.Unlock()
}

// errorSeen aggregates one failure, task error or quit (k.list).
func (s *shard) errorSeen(k errKey, kind Kind, now time.Time, maxErrors int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.cur.errs[k]
	if e == nil {
		if len(s.cur.errs) >= maxErrors {
			s.cur.overflow++
			return
		}
		// Redacted once per distinct error and interval: an error may
		// quote a DSN or a header the target sent back.
		e = &ErrorStat{Method: k.method, Name: k.name, Kind: kind, Error: redact.Text(k.msg), First: now}
		s.cur.errs[k] = e
	}
	e.Count++
	e.Last = now
}

// swap takes the shard's current bucket and installs the spare.
func (s *shard) swap() *bucket {
	s.mu.Lock()
	b := s.cur
	s.cur, s.spare = s.spare, nil
	s.mu.Unlock()
	return b
}

// collect swaps every shard's bucket out and merges them into iv's
// Stats, Errors, Exceptions and Quits; then the buckets are reset and become the
// shards' spares. Only the collector goroutine calls it.
func (r *recorder) collect(iv *Interval) {
	stats := map[statKey]*Stat{}
	var errs, excs, quits []ErrorStat
	for i := range r.shards {
		sh := &r.shards[i]
		b := sh.swap()
		for k, st := range b.stats {
			if st.empty() {
				continue
			}
			if t := stats[k]; t != nil {
				t.Merge(st)
			} else {
				c := st.Clone()
				stats[k] = &c
			}
			st.reset()
		}
		var lists [3][]ErrorStat
		for k, e := range b.errs {
			lists[k.list] = append(lists[k.list], *e)
		}
		var n1, n2, n3 int64
		errs, n1 = mergeErrors(errs, lists[listErrors], r.maxErrors)
		excs, n2 = mergeErrors(excs, lists[listExceptions], r.maxErrors)
		quits, n3 = mergeErrors(quits, lists[listQuits], r.maxErrors)
		iv.ErrorsOverflow += b.overflow + n1 + n2 + n3
		clear(b.errs)
		b.overflow = 0
		sh.spare = b
	}
	iv.Stats = make([]Stat, 0, len(stats))
	for _, st := range stats {
		iv.Stats = append(iv.Stats, *st)
	}
	slices.SortFunc(iv.Stats, func(a, b Stat) int { return compareStats(&a, &b) })
	iv.Errors, iv.Exceptions, iv.Quits = errs, excs, quits
}

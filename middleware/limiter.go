package middleware

import (
	"fmt"
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/soaklab/soak/middleware/internal/measure"
	"github.com/soaklab/soak/probe"
)

// Identity is who a request is rate-limited as: a Key ("user0042",
// "203.0.113.9") of a Kind ("user", "header", "ip"). Denials are counted in
// the probe by Kind, never by Key, so that the probe's tables stay bounded.
type Identity struct {
	Kind string
	Key  string
}

// Decision is the outcome of [Limiter.Allow].
type Decision struct {
	// Allowed is false when the request must be answered with 429.
	Allowed bool
	// Limit is the policy's Limit (requests per Period).
	Limit int
	// Remaining is how many more requests the identity may send right
	// now; 0 when denied. At most Limit.
	Remaining int
	// RetryAfter is, when denied, how long until this request would be
	// allowed; 0 when allowed.
	RetryAfter time.Duration
	// Reset is how long until the identity has its full burst again.
	Reset time.Duration
}

// LimiterConfig configures a [Limiter].
type LimiterConfig struct {
	// Policy is the rate limit. Required.
	Policy Policy
	// MaxIdentities caps the table of identities. Optional; 0 means
	// [DefaultMaxIdentities]. When the table is full, identities whose
	// burst is back in full are dropped first, then the one closest to it
	// among a random sample of 8 (so a flood of new identities costs the
	// service a bounded table, at the price of being lenient to the
	// evicted identity, which starts afresh).
	MaxIdentities int
	// Now is the clock. Optional; nil means the monotonic clock (as
	// time.Now's monotonic reading). Tests inject one.
	Now func() time.Time
	// Headers says which allowed responses [Limiter.SetHeaders] writes the
	// RateLimit-* fields on. Optional; default HeadersNearLimit.
	Headers HeaderMode
}

// DefaultMaxIdentities is the default cap of a [Limiter]'s identity table:
// about 6 MB with 40-byte keys.
const DefaultMaxIdentities = 100_000

// Limiter is a per-identity GCRA rate limiter with a bounded table. An
// identity expires (is dropped from the table) once it has been idle long
// enough to have its full burst back, which changes no decision; tables are
// swept lazily while serving, so a Limiter starts no goroutine and needs no
// Close.
//
// A Limiter is safe for concurrent use; the table is split into up to 64
// mutex-guarded shards.
type Limiter struct {
	policy    Policy
	hv        *headerValues    // the response fields, preformatted
	interval  int64            // emission interval Period/Limit, ns
	tolerance int64            // Burst × interval, ns
	sweepGap  int64            // minimum time between two sweeps of a shard, ns
	clock     func() time.Time // nil: the monotonic clock
	epoch     time.Time        // clock() at creation
	seed      maphash.Seed
	perShard  int
	shards    []shard
	evicted   atomic.Uint64
	expired   atomic.Uint64
}

type shard struct {
	mu        sync.Mutex
	tat       map[Identity]*int64 // theoretical arrival time, ns since epoch
	lastSweep int64
	_         [40]byte // keep shards on separate cache lines
}

// NewLimiter returns a Limiter, or an error wrapping [ErrInvalidConfig]
// that names the invalid field.
func NewLimiter(cfg LimiterConfig) (*Limiter, error) {
	if err := validPolicy(cfg.Policy); err != nil {
		return nil, err
	}
	if err := validHeaderMode(cfg.Headers); err != nil {
		return nil, err
	}
	if cfg.MaxIdentities < 0 {
		return nil, fmt.Errorf("%w: MaxIdentities must be >= 0, got %d", ErrInvalidConfig, cfg.MaxIdentities)
	}
	if cfg.MaxIdentities == 0 {
		cfg.MaxIdentities = DefaultMaxIdentities
	}

	n := 1
	for n < 64 && cfg.MaxIdentities/(n*2) >= 2048 {
		n *= 2
	}
	interval := int64(cfg.Policy.Period) / int64(cfg.Policy.Limit)
	l := &Limiter{
		policy:    cfg.Policy,
		hv:        newHeaderValues(cfg.Policy, cfg.Headers),
		interval:  interval,
		tolerance: interval * int64(cfg.Policy.BurstOrLimit()),
		clock:     cfg.Now,
		seed:      maphash.MakeSeed(),
		perShard:  cfg.MaxIdentities / n,
		shards:    make([]shard, n),
	}
	if l.clock != nil {
		l.epoch = l.clock()
	}
	l.sweepGap = min(l.tolerance, int64(time.Second))
	for i := range l.shards {
		l.shards[i].tat = make(map[Identity]*int64)
	}
	return l, nil
}

// Policy returns the limiter's policy, as configured.
func (l *Limiter) Policy() Policy { return l.policy }

// declared returns the limiter's policy as a rate limiter built on it
// declares it to the probe: GCRA, limiting per the identity kinds given,
// in order, then per client IP (every identifier list's fallback). It
// fails, wrapping [ErrInvalidConfig], for a kind that is not a valid key
// (probe.RateLimitPolicy.Key).
func (l *Limiter) declared(kinds ...string) (Policy, error) {
	p := l.policy.WithKeys(append(kinds, KindIP)...)
	p.Algorithm = probe.GCRA
	if err := p.Validate(); err != nil {
		return Policy{}, fmt.Errorf("%w: Identity: %w", ErrInvalidConfig, err)
	}
	return p, nil
}

// Allow decides whether id may send one more request now, and records it if
// so. Denied requests do not consume the allowance. It does not allocate
// unless id is new to the table.
func (l *Limiter) Allow(id Identity) Decision {
	sh := &l.shards[maphash.String(l.seed, id.Key)&uint64(len(l.shards)-1)]
	sh.mu.Lock()
	// The clock is read under the lock: a goroutine preempted between
	// reading it and locking would otherwise judge its request at a stale
	// instant, behind arrivals already recorded, and could be denied
	// wrongly (seen under wrk with a 10 ms window).
	now := l.now()
	if now-sh.lastSweep >= l.tolerance {
		l.sweep(sh, now)
	}
	slot := sh.tat[id] // one map operation per request: the value is a pointer
	tat := now
	if slot != nil && *slot > now {
		tat = *slot
	}
	next := tat + l.interval
	if wait := next - now - l.tolerance; wait > 0 {
		sh.mu.Unlock()
		return Decision{Limit: l.policy.Limit, RetryAfter: time.Duration(wait), Reset: time.Duration(tat - now)}
	}
	if slot == nil {
		if len(sh.tat) >= l.perShard {
			l.makeRoom(sh, now)
		}
		slot = new(int64)
		id.Key = strings.Clone(id.Key) // do not retain the request's memory
		sh.tat[id] = slot
	}
	*slot = next
	sh.mu.Unlock()
	return Decision{
		Allowed:   true,
		Limit:     l.policy.Limit,
		Remaining: int(min((l.tolerance-(next-now))/l.interval, int64(l.policy.Limit))),
		Reset:     time.Duration(next - now),
	}
}

// now returns the time in ns since the limiter's epoch.
func (l *Limiter) now() int64 {
	if l.clock == nil {
		return int64(measure.Monotonic())
	}
	return int64(l.clock().Sub(l.epoch))
}

// sweep drops every identity whose burst is back in full. sh.mu is held.
func (l *Limiter) sweep(sh *shard, now int64) {
	n := 0
	for id, tat := range sh.tat {
		if *tat <= now {
			delete(sh.tat, id)
			n++
		}
	}
	sh.lastSweep = now
	l.expired.Add(uint64(n))
}

// makeRoom frees one slot in a full shard: a sweep if none ran for
// sweepGap, else (or if the sweep freed nothing) the eviction of the
// identity closest to a full burst among up to 8 sampled at random (map
// iteration starts at a random slot). sh.mu is held.
func (l *Limiter) makeRoom(sh *shard, now int64) {
	if now-sh.lastSweep >= l.sweepGap {
		l.sweep(sh, now)
		if len(sh.tat) < l.perShard {
			return
		}
	}
	var victim Identity
	best, seen := int64(0), 0
	for id, tat := range sh.tat {
		if seen == 0 || *tat < best {
			victim, best = id, *tat
		}
		if seen++; seen == 8 {
			break
		}
	}
	if seen > 0 {
		delete(sh.tat, victim)
		l.evicted.Add(1)
	}
}

// LimiterStats are a limiter's table figures.
type LimiterStats struct {
	Identities int    // identities in the table now
	Capacity   int    // the cap (MaxIdentities, rounded down to a multiple of the shard count)
	Expired    uint64 // identities dropped because their burst was back in full, since creation
	Evicted    uint64 // identities dropped early because the table was full, since creation
}

// Stats returns the table figures. It locks each shard in turn.
func (l *Limiter) Stats() LimiterStats {
	n := 0
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		n += len(sh.tat)
		sh.mu.Unlock()
	}
	return LimiterStats{
		Identities: n,
		Capacity:   l.perShard * len(l.shards),
		Expired:    l.expired.Load(),
		Evicted:    l.evicted.Load(),
	}
}

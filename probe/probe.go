package probe

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Probe is the in-service probe. Create one with [New], or use the zero
// value, which behaves as New() with no options. A Probe must not be copied
// after first use. All methods are safe for concurrent use.
//
// Close it with [Probe.Close] when the service stops; the probe starts no
// goroutine of its own, but it may hold a monitoring connection per pool.
type Probe struct {
	once sync.Once
	opts options
	id   string
	t0   time.Time
	seq  atomic.Uint64

	http   HTTPStats
	config configStore
	caches registry[*CacheStats]
	stacks stackTable
	rt     runtimeReader
	pools  registry[PoolSource]
	redis  registry[RedisSource]
	prof   profiler
	panics atomic.Uint64 // recovered in handlers

	rateLimits declared[string, RateLimitPolicy] // by limiter name
	absent     declared[Component, string]       // Without: the reasons

	mountMu sync.Mutex
	mounts  map[string]http.Handler
}

// New returns a Probe configured by opts. It panics, naming the option,
// when an option is given an invalid value (a programmer error).
func New(opts ...Option) *Probe {
	p := &Probe{}
	p.once.Do(func() { p.setup(opts) })
	return p
}

// init makes the zero value usable; every exported method calls it.
func (p *Probe) init() { p.once.Do(func() { p.setup(nil) }) }

func (p *Probe) setup(opts []Option) {
	o := defaultOptions()
	for _, opt := range opts {
		if opt != nil {
			opt.apply(&o)
		}
	}
	if o.err != nil {
		panic(o.err)
	}
	p.opts = o
	p.t0 = o.clock()
	p.id = o.instanceID
	if p.id == "" {
		p.id = defaultInstanceID()
	}
	p.http.init(o.maxRoutes)
	p.config.max = maxConfigKeys
	p.caches.max = o.maxCaches
	p.stacks.init(o.maxStacks, o.stackDepth, o.stackEvery, o.framePointers)
	applyHeapProfileRate(o.heapRate)
}

func defaultInstanceID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	var b [3]byte
	_, _ = rand.Read(b[:])
	return host + "-" + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b[:])
}

// InstanceID returns the probe's instance id (see [WithInstanceID]).
func (p *Probe) InstanceID() string { p.init(); return p.id }

// StartTime returns when the probe was created.
func (p *Probe) StartTime() time.Time { p.init(); return p.t0 }

func (p *Probe) now() time.Time { return p.opts.clock() }

// HTTP returns the store of per-route HTTP figures that the middleware
// records into.
func (p *Probe) HTTP() *HTTPStats { p.init(); return &p.http }

// Close closes the sources registered with [Probe.AddPool] and
// [Probe.AddRedis] that are io.Closers: probe/pgxprobe's tracer releases
// the monitoring connection it opened for pg_stat_activity, and
// probe/redisprobe the one its INFO polls use. The probe
// keeps working afterwards for everything else. Close is idempotent as
// long as the sources' Close methods are.
func (p *Probe) Close() error {
	p.init()
	var errs []error
	for _, src := range p.sources() {
		if c, ok := src.(io.Closer); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// sources returns every registered pool and Redis source.
func (p *Probe) sources() []any {
	pools, clients := p.pools.list(), p.redis.list()
	out := make([]any, 0, len(pools)+len(clients))
	for _, s := range pools {
		out = append(out, s)
	}
	for _, s := range clients {
		out = append(out, s)
	}
	return out
}

// registry is a bounded, append-only list of named instruments.
type registry[T any] struct {
	mu    sync.Mutex
	max   int
	items []T
}

func (r *registry[T]) add(item T) {
	r.mu.Lock()
	r.items = append(r.items, item)
	r.mu.Unlock()
}

func (r *registry[T]) list() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]T(nil), r.items...)
}

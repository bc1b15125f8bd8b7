package probe

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
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
	pools  registry[*PGX]
	redis  registry[*Redis]
	prof   profiler
	panics atomic.Uint64 // recovered in handlers

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

// Close releases the monitoring connections the probe opened (for
// pg_stat_activity). The probe keeps working afterwards for everything
// else. Close is idempotent.
func (p *Probe) Close() error {
	p.init()
	var errs []error
	for _, t := range p.pools.list() {
		errs = append(errs, t.close())
	}
	return errors.Join(errs...)
}

// registry is a bounded, append-only list of named instruments.
type registry[T any] struct {
	mu    sync.Mutex
	max   int
	items []T
}

func (r *registry[T]) list() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]T(nil), r.items...)
}

package pgxprobe

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/multitracer"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/internal/poll"
)

// Tracer instruments one pgxpool pool: it is a pgx.QueryTracer,
// pgx.BatchTracer, pgxpool.AcquireTracer and pgxpool.ReleaseTracer, and
// reads the pool's Stat() when a snapshot is taken. Create it with [New]
// before pgxpool.NewWithConfig, then hand it the pool with
// [Tracer.Observe]. All methods are safe for concurrent use; the tracer
// methods never panic (a panic inside them is recovered and counted).
//
// For every connection out of the pool it keeps since when, the acquiring
// stack, and the route and soak labels of the request that acquired it
// (from label.FromContext); the same for every query started and not yet
// ended (rows not closed). At most the probe's Settings().MaxHeld
// (probe.WithMaxHeld) of each are tracked.
type Tracer struct {
	p       *probe.Probe
	name    string
	maxHeld int
	pool    atomic.Pointer[pgxpool.Pool]
	stmts   stmtTable

	mu        sync.Mutex
	conns     map[*pgx.Conn]connState
	hijacked  map[*pgx.Conn]probe.Hold
	untracked atomic.Uint64 // holds not tracked: table full
	acqErrs   atomic.Uint64
	panics    atomic.Uint64
	waiting   atomic.Int64 // acquires started and not ended
	// heldN counts the connections the tracer holds as acquired now, and
	// heldAt[n] the acquires that made it n (the last entry: n or more),
	// cumulative: PoolSnapshot.HeldAtAcquire. Both under mu.
	heldN   int
	heldAt  []uint64
	holders *probe.HoldProfile
	lastErr poll.LastError

	activity *activityPoller // nil unless WithStatActivity
}

type connState struct {
	held  probe.Hold // zero: not held (a conn used outside a pool)
	query probe.Hold // zero: no query in flight
	stmt  *stmtStats
	// busy sums the statements' time since the connection was acquired,
	// for the hold profile.
	busy time.Duration
}

// maxHeldAtAcquire bounds PoolSnapshot.HeldAtAcquire: a pool's MaxConns
// entries and one, at most this many and one (2 KiB per pool; the last
// entry counts 256 or more). soak keeps every sample's copy (at most
// 7,200 per source, 15 MB at this bound), and PostgreSQL's own default
// max_connections is 100.
const maxHeldAtAcquire = 256

// New registers a pool called name with p and installs its tracer in cfg:
// beside the tracer cfg already has, through pgx's multitracer. Call it
// before pgxpool.NewWithConfig(ctx, cfg), then [Tracer.Observe] the pool.
// The pool's MaxConns is recorded as probe.ConfigDBPoolMax unless already
// set. p must not be nil (a zero probe.Probe will do). It panics, naming
// the option, when an option is given an invalid value (a programmer
// error, as probe.New does).
func New(p *probe.Probe, name string, cfg *pgxpool.Config, opts ...Option) *Tracer {
	o := options{maxStatements: DefaultMaxStatements}
	for _, opt := range opts {
		if opt != nil {
			opt.apply(&o)
		}
	}
	if o.err != nil {
		panic(o.err)
	}
	buckets := maxHeldAtAcquire
	if cfg != nil && cfg.MaxConns > 0 {
		buckets = min(int(cfg.MaxConns), maxHeldAtAcquire)
	}
	t := &Tracer{p: p, name: name, maxHeld: p.Settings().MaxHeld, conns: map[*pgx.Conn]connState{}, hijacked: map[*pgx.Conn]probe.Hold{},
		heldAt: make([]uint64, buckets+1), holders: p.NewHoldProfile(probe.DefaultMaxHolders)}
	t.stmts.init(o.maxStatements)
	if o.statActivity {
		t.activity = &activityPoller{}
	}
	if cfg != nil {
		t.Instrument(cfg)
		key := probe.ConfigDBPoolMax
		if name != "" && name != "main" && name != "default" {
			key += "." + name
		}
		p.SetConfigDefault(key, strconv.Itoa(int(cfg.MaxConns)))
	}
	p.AddPool(source{t})
	return t
}

// Instrument installs t as cfg's tracer, beside any tracer cfg already has
// (through multitracer). [New] calls it; call it yourself only for a
// config you build after.
func (t *Tracer) Instrument(cfg *pgxpool.Config) {
	if cfg.ConnConfig == nil {
		return
	}
	switch prev := cfg.ConnConfig.Tracer.(type) {
	case nil:
		cfg.ConnConfig.Tracer = t
	case *Tracer:
		if prev != t {
			cfg.ConnConfig.Tracer = multitracer.New(prev, t)
		}
	default:
		cfg.ConnConfig.Tracer = multitracer.New(prev, t)
	}
}

// Observe gives t the pool whose Stat() snapshots report. Call it once
// pgxpool.NewWithConfig has returned.
func (t *Tracer) Observe(pool *pgxpool.Pool) { t.pool.Store(pool) }

// Name returns the pool's name.
func (t *Tracer) Name() string { return t.name }

// Hijacked tells the probe that conn was taken out of the pool with
// pgxpool.Conn.Hijack: it is no longer a held pool connection, and is
// listed apart until [Tracer.Closed] is called for it.
func (t *Tracer) Hijacked(conn *pgx.Conn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.conns[conn]
	if !ok {
		return
	}
	if len(t.hijacked) < t.maxHeld {
		t.hijacked[conn] = st.held
	}
	if !st.held.IsZero() {
		t.heldN--
	}
	st.held = probe.Hold{}
	t.put(conn, st)
}

// Closed forgets a hijacked connection the service has closed.
func (t *Tracer) Closed(conn *pgx.Conn) {
	t.mu.Lock()
	delete(t.hijacked, conn)
	t.mu.Unlock()
}

// put stores st, or deletes the entry when nothing is held; t.mu is held.
func (t *Tracer) put(conn *pgx.Conn, st connState) {
	if st.held.IsZero() && st.query.IsZero() {
		delete(t.conns, conn)
		return
	}
	t.conns[conn] = st
}

func (t *Tracer) recoverTracer() {
	if r := recover(); r != nil {
		t.panics.Add(1)
	}
}

// TraceAcquireStart implements pgxpool.AcquireTracer: it counts the
// acquire as waiting until it ends.
func (t *Tracer) TraceAcquireStart(ctx context.Context, _ *pgxpool.Pool, _ pgxpool.TraceAcquireStartData) context.Context {
	t.waiting.Add(1)
	return ctx
}

// TraceAcquireEnd implements pgxpool.AcquireTracer: it registers the
// connection as held.
func (t *Tracer) TraceAcquireEnd(ctx context.Context, _ *pgxpool.Pool, data pgxpool.TraceAcquireEndData) {
	defer t.recoverTracer()
	// pgxpool calls TraceAcquireEnd once for every TraceAcquireStart.
	t.waiting.Add(-1)
	if data.Err != nil || data.Conn == nil {
		t.acqErrs.Add(1)
		if data.Err != nil && ctx.Err() == nil {
			t.lastErr.Set(data.Err, t.p.Now())
		}
		return
	}
	h := t.p.NewHold(ctx, 1)
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.conns[data.Conn]
	if !ok && len(t.conns) >= t.maxHeld {
		t.untracked.Add(1)
		return
	}
	if st.held.IsZero() {
		t.heldN++
	}
	if len(t.heldAt) > 0 {
		t.heldAt[min(t.heldN, len(t.heldAt)-1)]++
	}
	st.held, st.busy = h, 0
	t.conns[data.Conn] = st
}

// TraceRelease implements pgxpool.ReleaseTracer: it forgets the
// connection and adds its hold (how long, how much of it in statements)
// to the hold profile of the stack that acquired it.
func (t *Tracer) TraceRelease(_ *pgxpool.Pool, data pgxpool.TraceReleaseData) {
	defer t.recoverTracer()
	t.mu.Lock()
	st, ok := t.conns[data.Conn]
	if !ok || st.held.IsZero() {
		t.mu.Unlock()
		return
	}
	held, busy := st.held, st.busy
	t.heldN--
	if !st.query.IsZero() {
		// Released with rows still open: pgxpool closes the connection;
		// the open statement counts as busy until now.
		busy += t.p.Elapsed(st.query)
	}
	st.held, st.busy = probe.Hold{}, 0
	t.put(data.Conn, st)
	t.mu.Unlock()
	t.holders.Record(held, t.p.Elapsed(held), busy)
}

// TraceQueryStart implements pgx.QueryTracer. It returns ctx unchanged:
// the query's start is kept per connection, so tracing allocates nothing.
func (t *Tracer) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	defer t.recoverTracer()
	t.start(ctx, conn, data.SQL)
	return ctx
}

func (t *Tracer) start(ctx context.Context, conn *pgx.Conn, sql string) {
	s := t.stmts.get(sql)
	h := t.p.NewHold(ctx, 2)
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.conns[conn]
	if !ok && len(t.conns) >= t.maxHeld {
		t.untracked.Add(1)
		s.record(0, false, 0) // counted, not timed
		return
	}
	st.query, st.stmt = h, s
	t.conns[conn] = st
}

// TraceQueryEnd implements pgx.QueryTracer.
func (t *Tracer) TraceQueryEnd(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryEndData) {
	defer t.recoverTracer()
	t.end(ctx, conn, data.Err, data.CommandTag.RowsAffected())
}

func (t *Tracer) end(ctx context.Context, conn *pgx.Conn, err error, rows int64) {
	t.mu.Lock()
	st, ok := t.conns[conn]
	if !ok || st.query.IsZero() {
		t.mu.Unlock()
		return
	}
	start, s := st.query, st.stmt
	d := t.p.Elapsed(start)
	st.query, st.stmt = probe.Hold{}, nil
	if !st.held.IsZero() {
		st.busy += d
	}
	t.put(conn, st)
	t.mu.Unlock()
	s.record(d, err != nil, rows)
	if err != nil && conn.PgConn() != nil && conn.IsClosed() && ctx.Err() == nil {
		t.lastErr.Set(err, t.p.Now())
	}
}

// TraceBatchStart implements pgx.BatchTracer: a batch is one open query
// until it ends.
func (t *Tracer) TraceBatchStart(ctx context.Context, conn *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	defer t.recoverTracer()
	t.start(ctx, conn, "(batch)")
	return ctx
}

// TraceBatchQuery implements pgx.BatchTracer: each statement of a batch is
// counted (calls, errors, rows) without a latency of its own.
func (t *Tracer) TraceBatchQuery(_ context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	defer t.recoverTracer()
	s := t.stmts.get(data.SQL)
	s.calls.Add(1)
	if data.Err != nil {
		s.errors.Add(1)
	}
	if n := data.CommandTag.RowsAffected(); n > 0 {
		s.rows.Add(uint64(n))
	}
}

// TraceBatchEnd implements pgx.BatchTracer.
func (t *Tracer) TraceBatchEnd(ctx context.Context, conn *pgx.Conn, data pgx.TraceBatchEndData) {
	defer t.recoverTracer()
	t.end(ctx, conn, data.Err, 0)
}

var (
	_ pgx.QueryTracer       = (*Tracer)(nil)
	_ pgx.BatchTracer       = (*Tracer)(nil)
	_ pgxpool.AcquireTracer = (*Tracer)(nil)
	_ pgxpool.ReleaseTracer = (*Tracer)(nil)
)

package probe

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/multitracer"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/soaklab/soak/probe/internal/poll"
	"github.com/soaklab/soak/probe/label"
)

// PGX instruments one pgxpool pool: it is a pgx.QueryTracer,
// pgx.BatchTracer, pgxpool.AcquireTracer and pgxpool.ReleaseTracer, and
// reads the pool's Stat() when a snapshot is taken. Create it with
// [Probe.PGX] before pgxpool.NewWithConfig, then hand it the pool with
// [PGX.Observe]. All methods are safe for concurrent use; the tracer
// methods never panic (a panic inside them is recovered and counted).
//
// For every connection out of the pool it keeps since when, the acquiring
// stack, and the route and soak labels of the request that acquired it
// (from [label.FromContext]); the same for every query started and not yet
// ended (rows not closed). At most [WithMaxHeld] of each are tracked.
type PGX struct {
	p     *Probe
	name  string
	pool  atomic.Pointer[pgxpool.Pool]
	stmts stmtTable

	mu        sync.Mutex
	conns     map[*pgx.Conn]connState
	hijacked  map[*pgx.Conn]hold
	untracked atomic.Uint64 // holds not tracked: table full
	acqErrs   atomic.Uint64
	panics    atomic.Uint64
	lastErr   poll.LastError

	activity *activityPoller // nil unless WithStatActivity
}

// hold is one connection or query held: since when, by whom.
type hold struct {
	since stamp
	stack stackID
	info  *label.Info
}

type connState struct {
	held  hold // zero since: not held (a conn used outside a pool)
	query hold // zero since: no query in flight
	stmt  *stmtStats
}

// PGXOption configures [Probe.PGX].
type PGXOption interface{ applyPGX(*PGX) }

type pgxOptionFunc func(*PGX)

func (f pgxOptionFunc) applyPGX(t *PGX) { f(t) }

// WithStatActivity makes snapshots also read the server's view: connection
// counts by state from pg_stat_activity for the pool's database, through
// one extra connection the probe opens on first use (closed by
// [Probe.Close]) and queries at most once per poll interval.
func WithStatActivity() PGXOption {
	return pgxOptionFunc(func(t *PGX) { t.activity = &activityPoller{} })
}

// PGX registers a pool called name and installs its tracer in cfg: beside
// the tracer cfg already has, through pgx's multitracer. Call it before
// pgxpool.NewWithConfig(ctx, cfg), then [PGX.Observe] the pool. The pool's
// MaxConns is recorded as [ConfigDBPoolMax] unless already set.
func (p *Probe) PGX(name string, cfg *pgxpool.Config, opts ...PGXOption) *PGX {
	p.init()
	t := &PGX{p: p, name: name, conns: map[*pgx.Conn]connState{}, hijacked: map[*pgx.Conn]hold{}}
	t.stmts.init(p.opts.maxStatements)
	for _, o := range opts {
		if o != nil {
			o.applyPGX(t)
		}
	}
	if cfg != nil {
		t.Instrument(cfg)
		key := ConfigDBPoolMax
		if name != "" && name != "main" && name != "default" {
			key += "." + name
		}
		p.setConfigDefault(key, strconv.Itoa(int(cfg.MaxConns)))
	}
	p.pools.mu.Lock()
	p.pools.items = append(p.pools.items, t)
	p.pools.mu.Unlock()
	return t
}

// Instrument installs t as cfg's tracer, beside any tracer cfg already has
// (through multitracer). [Probe.PGX] calls it; call it yourself only for a
// config you build after.
func (t *PGX) Instrument(cfg *pgxpool.Config) {
	if cfg.ConnConfig == nil {
		return
	}
	switch prev := cfg.ConnConfig.Tracer.(type) {
	case nil:
		cfg.ConnConfig.Tracer = t
	case *PGX:
		if prev != t {
			cfg.ConnConfig.Tracer = multitracer.New(prev, t)
		}
	default:
		cfg.ConnConfig.Tracer = multitracer.New(prev, t)
	}
}

// Observe gives t the pool whose Stat() snapshots report. Call it once
// pgxpool.NewWithConfig has returned.
func (t *PGX) Observe(pool *pgxpool.Pool) { t.pool.Store(pool) }

// Name returns the pool's name.
func (t *PGX) Name() string { return t.name }

// Hijacked tells the probe that conn was taken out of the pool with
// pgxpool.Conn.Hijack: it is no longer a held pool connection, and is
// listed apart until [PGX.Closed] is called for it.
func (t *PGX) Hijacked(conn *pgx.Conn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.conns[conn]
	if !ok {
		return
	}
	if len(t.hijacked) < t.p.opts.maxHeld {
		t.hijacked[conn] = st.held
	}
	st.held = hold{}
	t.put(conn, st)
}

// Closed forgets a hijacked connection the service has closed.
func (t *PGX) Closed(conn *pgx.Conn) {
	t.mu.Lock()
	delete(t.hijacked, conn)
	t.mu.Unlock()
}

// put stores st, or deletes the entry when nothing is held; t.mu is held.
func (t *PGX) put(conn *pgx.Conn, st connState) {
	if st.held.since == 0 && st.query.since == 0 {
		delete(t.conns, conn)
		return
	}
	t.conns[conn] = st
}

func (t *PGX) recoverTracer() {
	if r := recover(); r != nil {
		t.panics.Add(1)
	}
}

// TraceAcquireStart implements pgxpool.AcquireTracer.
func (t *PGX) TraceAcquireStart(ctx context.Context, _ *pgxpool.Pool, _ pgxpool.TraceAcquireStartData) context.Context {
	return ctx
}

// TraceAcquireEnd implements pgxpool.AcquireTracer: it registers the
// connection as held.
func (t *PGX) TraceAcquireEnd(ctx context.Context, _ *pgxpool.Pool, data pgxpool.TraceAcquireEndData) {
	defer t.recoverTracer()
	if data.Err != nil || data.Conn == nil {
		t.acqErrs.Add(1)
		if data.Err != nil && ctx.Err() == nil {
			t.lastErr.Set(data.Err, t.p.now())
		}
		return
	}
	h := hold{since: t.p.stampNow(), stack: t.p.stacks.capture(1), info: label.FromContext(ctx)}
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.conns[data.Conn]
	if !ok && len(t.conns) >= t.p.opts.maxHeld {
		t.untracked.Add(1)
		return
	}
	st.held = h
	t.conns[data.Conn] = st
}

// TraceRelease implements pgxpool.ReleaseTracer.
func (t *PGX) TraceRelease(_ *pgxpool.Pool, data pgxpool.TraceReleaseData) {
	defer t.recoverTracer()
	t.mu.Lock()
	defer t.mu.Unlock()
	if st, ok := t.conns[data.Conn]; ok {
		st.held = hold{}
		t.put(data.Conn, st)
	}
}

// TraceQueryStart implements pgx.QueryTracer. It returns ctx unchanged:
// the query's start is kept per connection, so tracing allocates nothing.
func (t *PGX) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	defer t.recoverTracer()
	t.start(ctx, conn, data.SQL)
	return ctx
}

func (t *PGX) start(ctx context.Context, conn *pgx.Conn, sql string) {
	s := t.stmts.get(sql)
	h := hold{since: t.p.stampNow(), stack: t.p.stacks.capture(2), info: label.FromContext(ctx)}
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.conns[conn]
	if !ok && len(t.conns) >= t.p.opts.maxHeld {
		t.untracked.Add(1)
		s.record(0, false, 0) // counted, not timed
		return
	}
	st.query, st.stmt = h, s
	t.conns[conn] = st
}

// TraceQueryEnd implements pgx.QueryTracer.
func (t *PGX) TraceQueryEnd(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryEndData) {
	defer t.recoverTracer()
	t.end(ctx, conn, data.Err, data.CommandTag.RowsAffected())
}

func (t *PGX) end(ctx context.Context, conn *pgx.Conn, err error, rows int64) {
	now := t.p.stampNow()
	t.mu.Lock()
	st, ok := t.conns[conn]
	if !ok || st.query.since == 0 {
		t.mu.Unlock()
		return
	}
	since, s := st.query.since, st.stmt
	st.query, st.stmt = hold{}, nil
	t.put(conn, st)
	t.mu.Unlock()
	s.record(now.sub(since), err != nil, rows)
	if err != nil && conn.PgConn() != nil && conn.IsClosed() && ctx.Err() == nil {
		t.lastErr.Set(err, t.p.now())
	}
}

// TraceBatchStart implements pgx.BatchTracer: a batch is one open query
// until it ends.
func (t *PGX) TraceBatchStart(ctx context.Context, conn *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	defer t.recoverTracer()
	t.start(ctx, conn, "(batch)")
	return ctx
}

// TraceBatchQuery implements pgx.BatchTracer: each statement of a batch is
// counted (calls, errors, rows) without a latency of its own.
func (t *PGX) TraceBatchQuery(_ context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
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
func (t *PGX) TraceBatchEnd(ctx context.Context, conn *pgx.Conn, data pgx.TraceBatchEndData) {
	defer t.recoverTracer()
	t.end(ctx, conn, data.Err, 0)
}

var (
	_ pgx.QueryTracer       = (*PGX)(nil)
	_ pgx.BatchTracer       = (*PGX)(nil)
	_ pgxpool.AcquireTracer = (*PGX)(nil)
	_ pgxpool.ReleaseTracer = (*PGX)(nil)
)

package pgxprobe

import (
	"context"
	"io"
	"slices"
	"time"

	"github.com/soaklab/soak/probe"
)

// source is what New registers with the probe: a probe.PoolSource and
// probe.HoldLister, and an io.Closer for the pg_stat_activity connection.
// (Tracer's own method set stays that of a tracer.)
type source struct{ t *Tracer }

// PoolSnapshot implements probe.PoolSource.
func (s source) PoolSnapshot(ctx context.Context, now time.Time) probe.PoolSnapshot {
	return s.t.snapshot(ctx, now)
}

// AppendHolds implements probe.HoldLister.
func (s source) AppendHolds(dst []probe.Held) []probe.Held { return s.t.appendHolds(dst) }

// Close implements io.Closer: it closes the pg_stat_activity connection.
func (s source) Close() error { return s.t.close() }

var (
	_ probe.PoolSource = source{}
	_ probe.HoldLister = source{}
	_ io.Closer        = source{}
)

func (t *Tracer) snapshot(ctx context.Context, now time.Time) probe.PoolSnapshot {
	s := probe.PoolSnapshot{Name: t.name, UntrackedHolds: t.untracked.Load(), AcquireErrors: t.acqErrs.Load(), TracerPanics: t.panics.Load()}
	pool := t.pool.Load()
	if pool != nil {
		st := pool.Stat()
		s.AcquiredConns = st.AcquiredConns()
		s.IdleConns = st.IdleConns()
		s.ConstructingConns = st.ConstructingConns()
		s.TotalConns = st.TotalConns()
		s.MaxConns = st.MaxConns()
		if s.MaxConns > 0 {
			s.Utilization = float64(s.AcquiredConns) / float64(s.MaxConns)
		}
		s.AcquireCount = st.AcquireCount()
		s.AcquireSeconds = st.AcquireDuration().Seconds()
		s.EmptyAcquireCount = st.EmptyAcquireCount()
		s.EmptyAcquireWaitSeconds = st.EmptyAcquireWaitTime().Seconds()
		s.CanceledAcquireCount = st.CanceledAcquireCount()
		s.NewConnsCount = st.NewConnsCount()
		s.MaxLifetimeDestroyCount = st.MaxLifetimeDestroyCount()
		s.MaxIdleDestroyCount = st.MaxIdleDestroyCount()
	}
	set := t.p.Settings()
	t.mu.Lock()
	for _, st := range t.conns {
		t.tally(st.held, now, set.LeakThreshold, &s.HeldConns, &s.OldestHeldSeconds, &s.LeakSuspects)
		t.tally(st.query, now, set.LeakThreshold, &s.OpenQueries, &s.OldestOpenQuerySeconds, &s.OpenQuerySuspects)
	}
	s.HijackedConns = len(t.hijacked)
	if last := lastNonZero(t.heldAt); last > 0 {
		s.HeldAtAcquire = slices.Clone(t.heldAt[:last+1])
	}
	t.mu.Unlock()
	s.WaitingAcquires = int(max(t.waiting.Load(), 0))
	s.Holders = t.holders.Snapshot()
	if pool != nil && s.HeldConns > int(s.AcquiredConns) {
		// A release decrements the pool after the tracer forgot the conn,
		// and an acquire increments it before; only a hijack leaves the
		// tracer holding more than the pool says is acquired.
		s.HijackedConns += s.HeldConns - int(s.AcquiredConns)
	}
	s.Statements, s.MaxStatements = t.stmts.snapshot()
	s.Error = t.lastErr.Recent(now, set.PollInterval)
	if pool == nil {
		s.Error = "pool not observed: call Tracer.Observe(pool)"
	} else if t.activity != nil {
		a, err := t.activity.poll(ctx, pool, now, set.PollInterval)
		s.ServerActivity = a
		if err != "" {
			s.Error = err
		}
	}
	return s
}

// lastNonZero returns the index of xs's last entry above zero, or -1.
func lastNonZero(xs []uint64) int {
	for i := len(xs) - 1; i >= 0; i-- {
		if xs[i] > 0 {
			return i
		}
	}
	return -1
}

// tally counts h, if set, into a count, the oldest age at now and the
// suspects (holds at least thr old).
func (t *Tracer) tally(h probe.Hold, now time.Time, thr time.Duration, count *int, oldest *float64, suspects *int) {
	if h.IsZero() {
		return
	}
	*count++
	age := t.p.ElapsedAt(h, now)
	*oldest = max(*oldest, age.Seconds())
	if age >= thr {
		*suspects++
	}
}

// appendHolds lists the connections held, the queries open and the
// connections hijacked, for the probe's leak registry. A held connection
// is one entry even when its rows are open: a [probe.LeakPGXConn] whose
// SQL names the open statement (the connection is what the pool and
// pg_stat_activity count); a [probe.LeakPGXQuery] is an open query on a
// connection not out of the pool (a pgx.Conn used directly).
func (t *Tracer) appendHolds(dst []probe.Held) []probe.Held {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, st := range t.conns {
		if !st.held.IsZero() {
			h := probe.Held{Kind: probe.LeakPGXConn, Source: t.name, Hold: st.held}
			if !st.query.IsZero() {
				h.SQL = st.stmt.sql
			}
			dst = append(dst, h)
			continue
		}
		if !st.query.IsZero() {
			dst = append(dst, probe.Held{Kind: probe.LeakPGXQuery, Source: t.name, SQL: st.stmt.sql, Hold: st.query})
		}
	}
	for _, h := range t.hijacked {
		dst = append(dst, probe.Held{Kind: probe.LeakPGXHijacked, Source: t.name, Hold: h})
	}
	return dst
}

func (t *Tracer) close() error {
	if t.activity == nil {
		return nil
	}
	return t.activity.close()
}

package probe

import (
	"context"
	"time"
)

// PoolSnapshot holds one pgxpool pool's figures. Counts and durations
// named *Count/*Seconds are cumulative; the *Conns fields are gauges.
type PoolSnapshot struct {
	Name string `json:"name"`
	// From pool.Stat(); all zero (and Error set) until [PGX.Observe].
	AcquiredConns     int32 `json:"acquired_conns"`
	IdleConns         int32 `json:"idle_conns"`
	ConstructingConns int32 `json:"constructing_conns"`
	TotalConns        int32 `json:"total_conns"`
	MaxConns          int32 `json:"max_conns"`
	// Utilization is AcquiredConns / MaxConns (0..1).
	Utilization    float64 `json:"utilization"`
	AcquireCount   int64   `json:"acquire_count"`
	AcquireSeconds float64 `json:"acquire_seconds"`
	// EmptyAcquireCount counts acquires that found no idle connection and
	// waited (for a new one or a release): the pool-exhaustion events.
	EmptyAcquireCount       int64   `json:"empty_acquire_count"`
	EmptyAcquireWaitSeconds float64 `json:"empty_acquire_wait_seconds"`
	CanceledAcquireCount    int64   `json:"canceled_acquire_count"`
	NewConnsCount           int64   `json:"new_conns_count"`
	MaxLifetimeDestroyCount int64   `json:"max_lifetime_destroy_count"`
	MaxIdleDestroyCount     int64   `json:"max_idle_destroy_count"`

	// From the tracer.
	// HeldConns counts connections out of the pool now, as the tracer saw
	// them; OldestHeldSeconds is the age of the oldest.
	HeldConns         int     `json:"held_conns"`
	OldestHeldSeconds float64 `json:"oldest_held_seconds"`
	// LeakSuspects counts held connections older than the leak threshold.
	LeakSuspects int `json:"leak_suspects"`
	// OpenQueries counts queries started and not ended (rows not closed);
	// OpenQuerySuspects those older than the leak threshold.
	OpenQueries            int     `json:"open_queries"`
	OldestOpenQuerySeconds float64 `json:"oldest_open_query_seconds"`
	OpenQuerySuspects      int     `json:"open_query_suspects"`
	// HijackedConns counts connections taken out with Hijack: those
	// reported with [PGX.Hijacked] plus those the tracer holds beyond the
	// pool's acquired count.
	HijackedConns int `json:"hijacked_conns"`
	// UntrackedHolds counts acquisitions and queries not tracked because
	// the table was full (cumulative).
	UntrackedHolds uint64              `json:"untracked_holds"`
	AcquireErrors  uint64              `json:"acquire_errors"`
	TracerPanics   uint64              `json:"tracer_panics,omitempty"`
	MaxStatements  int                 `json:"max_statements"`
	Statements     []StatementSnapshot `json:"statements"`
	ServerActivity *PGActivity         `json:"server_activity,omitempty"`
	// Error is the last error seen talking to the database (acquire or
	// connection failure, pg_stat_activity), or why stats are missing.
	Error string `json:"error,omitempty"`
}

func (t *PGX) snapshot(ctx context.Context, now time.Time) PoolSnapshot {
	s := PoolSnapshot{Name: t.name, UntrackedHolds: t.untracked.Load(), AcquireErrors: t.acqErrs.Load(), TracerPanics: t.panics.Load()}
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
	thr := t.p.opts.leakThreshold
	ns := t.p.stampAt(now)
	t.mu.Lock()
	for _, st := range t.conns {
		tally(st.held, ns, thr, &s.HeldConns, &s.OldestHeldSeconds, &s.LeakSuspects)
		tally(st.query, ns, thr, &s.OpenQueries, &s.OldestOpenQuerySeconds, &s.OpenQuerySuspects)
	}
	s.HijackedConns = len(t.hijacked)
	t.mu.Unlock()
	if pool != nil && s.HeldConns > int(s.AcquiredConns) {
		// A release decrements the pool after the tracer forgot the conn,
		// and an acquire increments it before; only a hijack leaves the
		// tracer holding more than the pool says is acquired.
		s.HijackedConns += s.HeldConns - int(s.AcquiredConns)
	}
	s.Statements, s.MaxStatements = t.stmts.snapshot()
	s.Error = t.lastErr.Recent(now, t.p.opts.pollInterval)
	if pool == nil {
		s.Error = "pool not observed: call PGX.Observe(pool)"
	} else if t.activity != nil {
		a, err := t.activity.poll(ctx, pool, now, t.p.opts.pollInterval)
		s.ServerActivity = a
		if err != "" {
			s.Error = err
		}
	}
	return s
}

// tally counts h, if set, into a count, the oldest age and the suspects
// (holds at least thr old).
func tally(h hold, now stamp, thr time.Duration, count *int, oldest *float64, suspects *int) {
	if h.since == 0 {
		return
	}
	*count++
	age := now.sub(h.since)
	*oldest = max(*oldest, age.Seconds())
	if age >= thr {
		*suspects++
	}
}

func (t *PGX) close() error {
	if t.activity == nil {
		return nil
	}
	return t.activity.close()
}

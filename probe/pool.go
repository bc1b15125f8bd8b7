package probe

import (
	"context"
	"time"
)

// A PoolSource is a database connection pool an integration reports:
// [github.com/soaklab/soak/probe/pgxprobe] for pgxpool, or a service's
// own. Register it with [Probe.AddPool].
type PoolSource interface {
	// PoolSnapshot returns the pool's figures at now, the snapshot's time
	// on the probe's clock. It is called for every snapshot, from any
	// goroutine; it may query the server, bounded by ctx and at most once
	// per [Settings].PollInterval. It must not panic.
	PoolSnapshot(ctx context.Context, now time.Time) PoolSnapshot
}

// AddPool registers a pool: every snapshot then lists its PoolSnapshot in
// Snapshot.Pools (its Error, if any, also in Snapshot.Errors, and its
// TracerPanics in ProbePanics). If src is a [HoldLister], its holds are
// the leak registry's; if it is an io.Closer, [Probe.Close] closes it.
func (p *Probe) AddPool(src PoolSource) {
	p.init()
	p.pools.add(src)
}

// OverflowStatement is the statement under which queries are recorded once
// a pool's statement table is full.
const OverflowStatement = "(other statements)"

// PoolSnapshot holds one database pool's figures (pgxpool's, as
// probe/pgxprobe reports them). Counts and durations named
// *Count/*Seconds are cumulative; the *Conns fields are gauges.
type PoolSnapshot struct {
	Name string `json:"name"`
	// From pool.Stat(); all zero (and Error set) until the pool is
	// observed.
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
	// WaitingAcquires counts acquires started and not yet ended: waiting
	// for a connection (the tracer's gauge; pgxpool's Stat has none).
	WaitingAcquires int `json:"waiting_acquires"`
	// HeldAtAcquire counts the acquires by how many connections the
	// tracer held once each had its connection, cumulative since the
	// tracer was made: entry n counts the acquires that made n
	// connections held (the acquiring one included; entry 0 stays 0),
	// the last entry also those that made more (there are MaxConns+1
	// entries, at most 257, trailing zeros left out). Held connections
	// only rise at an acquire, so the highest entry that grew between
	// two snapshots is the most connections held at once between them,
	// exactly, where AcquiredConns is one instant. Connections taken out
	// with Hijack and not reported through Tracer.Hijacked stay counted.
	HeldAtAcquire []uint64 `json:"held_at_acquire,omitempty"`
	// Holders is the tracer's hold profile: per acquiring function and
	// route, the connections released, the time they were held and the
	// time their statements ran within it (cumulative, at most
	// [DefaultMaxHolders] entries).
	Holders []HolderSnapshot `json:"holders,omitempty"`
	// HijackedConns counts connections taken out with Hijack: those
	// reported as hijacked to the tracer plus those it holds beyond the
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

// StatementSnapshot holds one normalised statement's figures, cumulative.
type StatementSnapshot struct {
	SQL    string `json:"sql"`
	Calls  uint64 `json:"calls"`
	Errors uint64 `json:"errors"`
	// Rows counts rows affected or returned, as the command tag says.
	Rows uint64 `json:"rows"`
	// Latency runs from the query's start to its end: for a Query, until
	// its rows are closed.
	Latency Histogram `json:"latency"`
}

// PGActivity is the server's view of the pool's database from
// pg_stat_activity, polled at most once per poll interval.
type PGActivity struct {
	// Time is when the server was asked.
	Time time.Time `json:"time"`
	// ByState counts the database's client backends by state ("active",
	// "idle", "idle in transaction", ...), excluding the probe's own.
	ByState map[string]int `json:"by_state"`
	Total   int            `json:"total"`
	// MaxConnections is the server's max_connections setting.
	MaxConnections int    `json:"max_connections"`
	ServerVersion  string `json:"server_version"`
}

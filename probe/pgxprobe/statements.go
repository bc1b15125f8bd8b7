package pgxprobe

import (
	"slices"
	"sync/atomic"
	"time"

	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/internal/cowmap"
)

// stmtStats records one normalised statement.
type stmtStats struct {
	sql     string
	calls   atomic.Uint64
	errors  atomic.Uint64
	rows    atomic.Uint64
	latency probe.Latency
}

func (s *stmtStats) record(d time.Duration, err bool, rows int64) {
	s.calls.Add(1)
	if err {
		s.errors.Add(1)
	}
	if rows > 0 {
		s.rows.Add(uint64(rows))
	}
	s.latency.Record(d)
}

// stmtTable maps SQL text to statement recorders. Lookups of SQL seen
// before are a lock-free map read; new text is normalised once. Both the
// raw-text cache (4 x max) and the statement table (max) are bounded.
type stmtTable struct {
	raw      cowmap.Map[string, *stmtStats] // raw SQL text -> its statement
	norm     cowmap.Map[string, *stmtStats] // normalised SQL -> statement
	max      int
	overflow stmtStats
}

func (t *stmtTable) init(max int) {
	t.max = max
	t.overflow.sql = probe.OverflowStatement
}

func (t *stmtTable) get(sql string) *stmtStats {
	if s, ok := t.raw.Load(sql); ok {
		return s
	}
	n := NormalizeSQL(sql)
	s, ok := t.norm.LoadOrCreate(n, t.max, func() *stmtStats { return &stmtStats{sql: n} })
	if !ok {
		s = &t.overflow
	}
	if len(sql) <= 4*maxSQLLen {
		t.raw.LoadOrCreate(sql, 4*t.max, func() *stmtStats { return s })
	}
	return s
}

// snapshot returns the statements, by total time spent, highest first.
func (t *stmtTable) snapshot() ([]probe.StatementSnapshot, int) {
	all := t.norm.Values()
	if t.overflow.calls.Load() > 0 {
		all = append(all, &t.overflow)
	}
	out := make([]probe.StatementSnapshot, 0, len(all))
	for _, s := range all {
		out = append(out, probe.StatementSnapshot{
			SQL:     s.sql,
			Calls:   s.calls.Load(),
			Errors:  s.errors.Load(),
			Rows:    s.rows.Load(),
			Latency: s.latency.Snapshot(),
		})
	}
	slices.SortStableFunc(out, func(a, b probe.StatementSnapshot) int {
		switch {
		case a.Latency.SumMicros > b.Latency.SumMicros:
			return -1
		case a.Latency.SumMicros < b.Latency.SumMicros:
			return 1
		}
		return 0
	})
	return out, t.max
}

package demo

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/soaklab/soak/probe/pgxprobe"
)

// slowQueryThreshold is the duration above which the demo logs a
// statement.
const slowQueryThreshold = 500 * time.Millisecond

// slowQueryLog is the demo's own pgx tracer, as many services have one: it
// logs statements slower than slowQueryThreshold, normalised (no argument
// values, so no data or secrets in the log). The probe's tracer is added
// beside it through pgx's multitracer, which is the wiring docs/probe.md
// shows for a service that already traces. Safe for concurrent use.
type slowQueryLog struct {
	log *slog.Logger
}

type queryStartKey struct{}

type queryStart struct {
	at  time.Time
	sql string
}

func (s slowQueryLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	return context.WithValue(ctx, queryStartKey{}, queryStart{at: time.Now(), sql: data.SQL})
}

func (s slowQueryLog) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	st, ok := ctx.Value(queryStartKey{}).(queryStart)
	if !ok {
		return
	}
	if d := time.Since(st.at); d >= slowQueryThreshold {
		s.log.Warn("demo: slow query", "duration", d, "sql", pgxprobe.NormalizeSQL(st.sql), "err", data.Err)
	}
}

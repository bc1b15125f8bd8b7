package pgxprobe

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/internal/poll"
)

const activitySQL = `SELECT coalesce(state, 'unknown'), count(*)::int FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
GROUP BY 1`

// activityPoller queries pg_stat_activity through its own connection, so
// that an exhausted pool does not block (or skew) the probe.
type activityPoller struct {
	poll.Poller[probe.PGActivity]
	conn *pgx.Conn // under Poller.Mu
}

func (a *activityPoller) poll(ctx context.Context, pool *pgxpool.Pool, now time.Time, every time.Duration) (*probe.PGActivity, string) {
	return a.Poller.Poll(ctx, now, every, "pg_stat_activity", func(ctx context.Context) (*probe.PGActivity, error) {
		act, err := a.query(ctx, pool, now)
		if err != nil && a.conn != nil {
			_ = a.conn.Close(context.Background()) // reconnect next time
			a.conn = nil
		}
		return act, err
	})
}

func (a *activityPoller) query(ctx context.Context, pool *pgxpool.Pool, now time.Time) (*probe.PGActivity, error) {
	if a.conn == nil {
		cfg := pool.Config().ConnConfig.Copy()
		cfg.Tracer = nil // the probe's own queries are not the service's
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return nil, err
		}
		a.conn = conn
	}
	act := &probe.PGActivity{Time: now, ByState: map[string]int{}}
	rows, err := a.conn.Query(ctx, activitySQL)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			rows.Close()
			return nil, err
		}
		act.ByState[state] = n
		act.Total += n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var maxConns string
	if err := a.conn.QueryRow(ctx, "SELECT current_setting('max_connections'), current_setting('server_version')").Scan(&maxConns, &act.ServerVersion); err != nil {
		return nil, err
	}
	for _, c := range maxConns {
		if c < '0' || c > '9' {
			break
		}
		act.MaxConnections = act.MaxConnections*10 + int(c-'0')
	}
	return act, nil
}

func (a *activityPoller) close() error {
	a.Mu.Lock()
	defer a.Mu.Unlock()
	if a.conn == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := a.conn.Close(ctx)
	a.conn = nil
	return err
}

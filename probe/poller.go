package probe

import (
	"context"
	"sync"
	"time"
)

// pollTimeout bounds one server query (Redis INFO, pg_stat_activity).
const pollTimeout = 2 * time.Second

// poller rate-limits a server query: at most one per interval, serialised;
// in between, and after a failure, it returns the last good answer with
// the failure's message (prefixed by what).
type poller[T any] struct {
	mu   sync.Mutex
	last *T
	err  string
	at   time.Time
}

func (p *poller[T]) poll(ctx context.Context, now time.Time, every time.Duration, what string, fetch func(context.Context) (*T, error)) (*T, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.at.IsZero() && now.Sub(p.at) < every {
		return p.last, p.err
	}
	p.at = now
	ctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()
	v, err := fetch(ctx)
	if err != nil {
		p.err = what + ": " + errString(err)
		return p.last, p.err
	}
	p.last, p.err = v, ""
	return v, ""
}

// Package poll holds what the probe's integrations share to talk to their
// servers without letting them slow or flood a snapshot: [Poller] asks a
// server at most once per interval, [LastError] keeps the latest failure
// for a while. Messages are redacted of secrets.
package poll

import (
	"context"
	"sync"
	"time"

	"github.com/soaklab/soak/internal/redact"
)

// Timeout bounds one server query (Redis INFO, pg_stat_activity).
const Timeout = 2 * time.Second

// Poller rate-limits a server query: at most one per interval, serialised;
// in between, and after a failure, it returns the last good answer with
// the failure's message (prefixed by what). The zero Poller is ready to
// use; it is safe for concurrent use.
type Poller[T any] struct {
	// Mu serialises the polls; fetch functions run under it, so that
	// state they keep beside the poller (a connection) needs no lock of
	// its own.
	Mu   sync.Mutex
	last *T
	err  string
	at   time.Time
}

// Poll returns the last answer if it is younger than every, else asks
// fetch (bounded by ctx and [Timeout]). The string is the failure's
// message, "" when the answer is fresh.
func (p *Poller[T]) Poll(ctx context.Context, now time.Time, every time.Duration, what string, fetch func(context.Context) (*T, error)) (*T, string) {
	p.Mu.Lock()
	defer p.Mu.Unlock()
	if !p.at.IsZero() && now.Sub(p.at) < every {
		return p.last, p.err
	}
	p.at = now
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	v, err := fetch(ctx)
	if err != nil {
		p.err = what + ": " + redact.Error(err)
		return p.last, p.err
	}
	p.last, p.err = v, ""
	return v, ""
}

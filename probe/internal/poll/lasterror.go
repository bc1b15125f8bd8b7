package poll

import (
	"sync/atomic"
	"time"

	"github.com/soaklab/soak/internal/redact"
)

// LastError keeps the latest error an instrument saw (redacted), so that a
// snapshot can report a database or Redis that went down. The zero value
// is ready to use; it is safe for concurrent use.
type LastError struct{ p atomic.Pointer[timedError] }

type timedError struct {
	msg string
	at  time.Time
}

// Set records err (nil is ignored) as seen at at.
func (l *LastError) Set(err error, at time.Time) {
	if err != nil {
		l.p.Store(&timedError{msg: redact.Error(err), at: at})
	}
}

// Recent returns the error if it happened within the last two poll
// intervals (at least 30 s), else "": a server that recovered stops being
// reported.
func (l *LastError) Recent(now time.Time, poll time.Duration) string {
	e := l.p.Load()
	if e == nil || now.Sub(e.at) > max(2*poll, 30*time.Second) {
		return ""
	}
	return e.msg
}

package probe

import (
	"sync/atomic"
	"time"
)

// lastError keeps the latest error an instrument saw (redacted), so that a
// snapshot can report a database or Redis that went down.
type lastError struct{ p atomic.Pointer[timedError] }

type timedError struct {
	msg string
	at  time.Time
}

func (l *lastError) set(err error, at time.Time) {
	if err != nil {
		l.p.Store(&timedError{msg: errString(err), at: at})
	}
}

// recent returns the error if it happened within the last two poll
// intervals (at least 30 s), else "": a server that recovered stops being
// reported.
func (l *lastError) recent(now time.Time, poll time.Duration) string {
	e := l.p.Load()
	if e == nil || now.Sub(e.at) > max(2*poll, 30*time.Second) {
		return ""
	}
	return e.msg
}

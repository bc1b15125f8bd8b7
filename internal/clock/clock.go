package clock

import (
	"context"
	"time"
)

// Sleep waits for d, or until ctx is done, whichever comes first. It
// returns at once when d <= 0 or ctx is already done.
func Sleep(ctx context.Context, d time.Duration) {
	if d <= 0 || ctx.Err() != nil {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// SleepUntil waits until the wall-clock time t, or until ctx is done,
// and reports whether ctx is still live: true means t came (or had
// passed already) with ctx not done, false that ctx ended the wait.
func SleepUntil(ctx context.Context, t time.Time) bool {
	Sleep(ctx, time.Until(t))
	return ctx.Err() == nil
}

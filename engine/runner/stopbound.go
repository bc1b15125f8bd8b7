package runner

import (
	"context"
	"sync"
	"time"
)

// stopBound bounds every wait after a graceful stop (Plan.Stop closed,
// soak's first Ctrl-C) by Plan.StopTimeout from the stop: the polls and
// captures still under way when the load ends, the drain, and the last
// captures and sample. A probe that accepts connections and never
// answers then holds the run's end for StopTimeout at most, not for
// each profile's and poll's own timeout in turn.
//
// Before a stop, and in a run without Plan.Stop, it changes nothing.
// Safe for concurrent use.
type stopBound struct {
	ctx    context.Context // ctx of the run, cancelled StopTimeout after the stop
	cancel context.CancelFunc

	mu       sync.Mutex
	deadline time.Time // zero until the stop
	timer    *time.Timer
	done     chan struct{}
}

// newStopBound watches stop (nil: never) for a run on ctx; release must
// be called when the run ends.
func newStopBound(ctx context.Context, stop <-chan struct{}, timeout time.Duration) *stopBound {
	b := &stopBound{done: make(chan struct{})}
	b.ctx, b.cancel = context.WithCancel(ctx)
	if stop == nil {
		return b
	}
	go func() {
		select {
		case <-stop:
			b.mu.Lock()
			b.deadline = time.Now().Add(timeout)
			b.timer = time.AfterFunc(timeout, b.cancel)
			b.mu.Unlock()
		case <-b.done:
		}
	}()
	return b
}

// release ends the watch.
func (b *stopBound) release() {
	close(b.done)
	b.mu.Lock()
	if b.timer != nil {
		b.timer.Stop()
	}
	b.mu.Unlock()
	b.cancel()
}

// final returns the context of a last capture or sample, which is taken
// even after ctx was cancelled (on a context that is not), within the
// stop's bound when the load was stopped. Its cancel must be called.
func (b *stopBound) final(ctx context.Context) (context.Context, context.CancelFunc) {
	bg := context.WithoutCancel(ctx)
	b.mu.Lock()
	d := b.deadline
	b.mu.Unlock()
	if d.IsZero() {
		return context.WithCancel(bg)
	}
	return context.WithDeadline(bg, d)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/soaklab/soak/cmd/soak/internal/flagx"
)

// exitGrace is how long soak may go on writing its outputs after the
// second Ctrl-C before main exits anyway: "at once" for a person, enough
// to render the reports of a run that has nothing left to wait for.
const exitGrace = 2 * time.Second

// interrupts is soak's two-step Ctrl-C (and SIGTERM). The first signal
// closes stop: a run stops its load and lets the requests in flight
// finish (see graceful); any other command is cancelled. The second
// cancels the context, so everything under way is aborted, and exitGrace
// later closes hardExit: main then exits with 130 whatever is still being
// written. A third signal gets its default action.
type interrupts struct {
	stop     chan struct{}
	hardExit chan struct{}
}

// watchInterrupts starts watching sigs. cancel cancels the context of the
// whole command; reset gives the signals their default action back.
func watchInterrupts(sigs <-chan os.Signal, cancel context.CancelFunc, reset func(), grace time.Duration) *interrupts {
	in := &interrupts{stop: make(chan struct{}), hardExit: make(chan struct{})}
	go func() {
		<-sigs
		close(in.stop)
		<-sigs
		cancel()
		reset()
		time.Sleep(grace)
		close(in.hardExit)
	}()
	return in
}

// cancelOnStop returns a context of ctx that is also cancelled when stop
// is closed (a nil stop never is), and its cancel function, which must be
// called.
func cancelOnStop(ctx context.Context, stop <-chan struct{}) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	if stop != nil {
		select {
		case <-stop: // already: the caller sees a done ctx at once, not after a goroutine ran
			cancel()
			return ctx, cancel
		default:
		}
		go func() {
			select {
			case <-stop:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	return ctx, cancel
}

// errInterrupted ends a run, demo or capacity search whose first Ctrl-C
// came while it was being prepared (flags, scenario, plan, host check):
// nothing was written, and no results directory was made.
var errInterrupted = errors.New("interrupted before the load: nothing was written")

// preparing returns the context of a run's preparation: ctx, also
// cancelled by the first Ctrl-C, which the load itself handles gracefully
// (see graceful) but which ends a preparation at once. Its cancel
// function must be called.
func (c *cli) preparing(ctx context.Context) (context.Context, context.CancelFunc) {
	return cancelOnStop(ctx, c.stop)
}

// prepared returns code and err, or exitInterrupted and errInterrupted
// when the preparation's context pctx was cancelled: whatever failed then
// failed because of the Ctrl-C.
func prepared(pctx context.Context, code int, err error) (int, error) {
	if pctx.Err() != nil {
		return exitInterrupted, errInterrupted
	}
	return code, err
}

// loadPhase is where a run is, as far as a Ctrl-C is concerned.
type loadPhase int

const (
	beforeLoad loadPhase = iota // baseline: nothing in flight yet
	underLoad                   // the engine's load: requests in flight
	afterLoad                   // the drain: the load is over
)

// graceful is a run's side of the first Ctrl-C. While the load runs, the
// Ctrl-C's channel is the engine's Plan.Stop: the load stops, the requests
// in flight finish within the plan's StopTimeout, the drain and every
// output follow as usual, marked partial. Before the load starts and
// once the drain began, nothing is in flight, so the first Ctrl-C cancels
// the run's context instead: the baseline or the drain is cut short.
// Safe for concurrent use.
type graceful struct {
	cancel      context.CancelFunc // cancels the run's context
	note        func(string)       // the live view's note
	stopTimeout time.Duration

	mu        sync.Mutex
	phase     loadPhase
	requested bool
}

// enter moves the run to phase p (never back).
func (g *graceful) enter(p loadPhase) {
	g.mu.Lock()
	g.phase = max(g.phase, p)
	g.mu.Unlock()
}

// interrupt handles the first Ctrl-C.
func (g *graceful) interrupt() {
	g.mu.Lock()
	g.requested = true
	phase := g.phase
	g.mu.Unlock()
	switch {
	case phase == underLoad && g.stopTimeout > 0:
		g.note(fmt.Sprintf("stopping: draining in-flight requests (up to %s); Ctrl-C again to exit now",
			flagx.FormatDuration(g.stopTimeout)))
	case phase == underLoad:
		g.note("stopping: aborting in-flight requests (--stop-timeout 0); Ctrl-C again to exit now")
	case phase == beforeLoad:
		g.cancel()
		g.note("interrupted before the load: writing partial outputs; Ctrl-C again to exit now")
	default:
		g.cancel()
		g.note("interrupted: cutting the drain short, writing partial outputs; Ctrl-C again to exit now")
	}
}

// interrupted reports whether the first Ctrl-C came.
func (g *graceful) interrupted() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.requested
}

// hardExitNote is what soak says when it exits exitGrace after the second
// Ctrl-C: how to rebuild the outputs from the results directory, dir, or
// that nothing was written when no run made one (dir nil).
func hardExitNote(dir *string) string {
	if dir == nil {
		return fmt.Sprintf("exiting %s after the second interrupt; no results directory was made", exitGrace)
	}
	return fmt.Sprintf("exiting %s after the second interrupt; outputs not finished are rebuilt by soak report %s", exitGrace, *dir)
}

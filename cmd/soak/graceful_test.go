package main

import (
	"context"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The first signal closes stop and nothing else; the second cancels the
// context, restores the default action, and exitGrace later lets main
// exit.
func TestWatchInterrupts(t *testing.T) {
	sigs := make(chan os.Signal)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var resets atomic.Int64
	in := watchInterrupts(sigs, cancel, func() { resets.Add(1) }, time.Millisecond)
	sigs <- os.Interrupt
	<-in.stop
	if ctx.Err() != nil || resets.Load() != 0 {
		t.Fatal("the first signal cancelled the context or reset the signals")
	}
	select {
	case <-in.hardExit:
		t.Fatal("hardExit after one signal")
	default:
	}
	sigs <- os.Interrupt
	<-in.hardExit
	if ctx.Err() == nil || resets.Load() != 1 {
		t.Fatalf("after the second signal: ctx %v, %d resets", ctx.Err(), resets.Load())
	}
}

// The first Ctrl-C lets a load drain; before the load and during the
// drain it cancels the run instead.
func TestGracefulPhases(t *testing.T) {
	for _, c := range []struct {
		phase     loadPhase
		timeout   time.Duration
		cancels   bool
		noteHolds string
	}{
		{beforeLoad, 10 * time.Second, true, "interrupted before the load"},
		{underLoad, 10 * time.Second, false, "stopping: draining in-flight requests (up to 10s); Ctrl-C again to exit now"},
		{underLoad, 0, false, "aborting in-flight requests (--stop-timeout 0)"},
		{afterLoad, 10 * time.Second, true, "cutting the drain short"},
	} {
		var cancelled atomic.Bool
		var note string
		g := &graceful{cancel: func() { cancelled.Store(true) }, note: func(s string) { note = s }, stopTimeout: c.timeout}
		g.enter(c.phase)
		g.enter(beforeLoad) // never back
		if g.interrupted() {
			t.Fatal("interrupted before any Ctrl-C")
		}
		g.interrupt()
		if cancelled.Load() != c.cancels || !strings.Contains(note, c.noteHolds) || !g.interrupted() {
			t.Errorf("phase %d: cancelled %v, note %q", c.phase, cancelled.Load(), note)
		}
	}
}

// A command that does not handle Ctrl-C itself is cancelled by the first.
func TestCancelOnStop(t *testing.T) {
	stop := make(chan struct{})
	ctx, cancel := cancelOnStop(context.Background(), stop)
	defer cancel()
	if ctx.Err() != nil {
		t.Fatal("cancelled before the stop")
	}
	close(stop)
	<-ctx.Done()
	never, cancel2 := cancelOnStop(context.Background(), nil)
	cancel2()
	if never.Err() == nil {
		t.Fatal("cancel did not cancel")
	}
}

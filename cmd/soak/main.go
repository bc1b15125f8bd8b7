package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/soaklab/soak/cmd/soak/internal/live"
)

func main() {
	// The first Ctrl-C (or SIGTERM) stops a run's load and lets the
	// requests in flight finish; the run then writes every output marked
	// partial. The second cancels ctx: soak aborts what is in flight and
	// exits 130, the outputs written if they are done within exitGrace.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signals := []os.Signal{os.Interrupt, syscall.SIGTERM}
	signal.Notify(sigs, signals...)
	in := watchInterrupts(sigs, cancel, func() { signal.Reset(signals...) }, exitGrace)
	c := &cli{
		stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
		tty: live.IsTerminal(os.Stderr), argv: os.Args, stop: in.stop,
	}
	done := make(chan int, 1)
	go func() { done <- c.main(ctx, os.Args[1:]) }()
	select {
	case code := <-done:
		os.Exit(code)
	case <-in.hardExit:
		fmt.Fprintf(os.Stderr, "\nsoak: %s\n", hardExitNote(c.resultsDir.Load()))
		os.Exit(exitInterrupted)
	}
}

package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/soaklab/soak/cmd/soak/internal/live"
)

func main() {
	// The first Ctrl-C (or SIGTERM) cancels ctx: the run stops its load
	// and writes every output marked partial. Once ctx is done the
	// signals get their default action back, so a second Ctrl-C ends soak
	// at once (what was saved in the results directory stays there).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	c := &cli{
		stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
		tty: live.IsTerminal(os.Stderr), argv: os.Args,
	}
	code := c.main(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

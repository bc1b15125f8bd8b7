package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/soaklab/soak/cmd/soak/internal/flagx"
	"github.com/soaklab/soak/cmd/soak/internal/web"
	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/internal/loopback"
)

// WebTokenEnv is the environment variable read for --web-token, so the
// token need not appear in ps.
const WebTokenEnv = "SOAK_WEB_TOKEN"

// defaultWebKeep is how long the web view stays up after the run while
// someone watches it (--web-keep), for the downloads.
const defaultWebKeep = 5 * time.Minute

// webFlags are --web and its companions (soak run and soak demo).
type webFlags struct {
	addr     string
	token    flagx.Secret
	readOnly bool
	keep     flagx.Duration
}

func (f *webFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.addr, "web", "", "")
	fs.Var(&f.token, "web-token", "")
	fs.BoolVar(&f.readOnly, "web-read-only", false, "")
	fs.Var(&f.keep, "web-keep", "")
}

// check refuses the companions without --web and a bad address, before
// anything runs; the token comes from --web-token or $SOAK_WEB_TOKEN.
func (f *webFlags) check(getenv func(string) string, given func(...string) bool) error {
	if !f.token.IsSet {
		if tok := getenv(WebTokenEnv); tok != "" {
			f.token.SetValue(tok)
		}
	}
	if f.addr == "" {
		if given("web-token", "web-read-only", "web-keep") {
			return usagef("--web-token, --web-read-only and --web-keep need --web ADDR")
		}
		return nil
	}
	host, port, err := net.SplitHostPort(f.addr)
	if err != nil || port == "" {
		return usagef("--web %q: want HOST:PORT, e.g. 127.0.0.1:8089 (port 0 picks a free one)", f.addr)
	}
	if strings.ContainsAny(host, "/@") {
		return usagef("--web %q: want HOST:PORT", f.addr)
	}
	if !f.token.IsSet && !loopback.Host(host) {
		return usagef("--web %s: not a loopback address, and no token: set --web-token or $%s (or serve on 127.0.0.1)", f.addr, WebTokenEnv)
	}
	if f.keep.IsSet && f.keep.D < 0 {
		return usagef("--web-keep %s: negative", flagx.FormatDuration(f.keep.D))
	}
	return nil
}

// liveWeb is a run's web view: the server and the stop it may request.
type liveWeb struct {
	srv   *web.Server
	stop  chan struct{} // closed by the page's stop button
	keep  time.Duration
	token bool         // a token is needed: the note says how to open the page
	note  func(string) // the live view's note, once announced
}

// startWeb serves the web view of j, if --web, and wires its controls:
// the plan gains an engine.Control (not for a run coordinated over
// workers, whose load the page then cannot change).
func startWeb(j *job) (*liveWeb, error) {
	f := &j.opts.web
	if f.addr == "" {
		return nil, nil
	}
	w := &liveWeb{stop: make(chan struct{}), keep: defaultWebKeep}
	if f.keep.IsSet {
		w.keep = f.keep.D
	}
	cfg := web.Config{Addr: f.addr, Token: f.token.Value(), ReadOnly: f.readOnly, Stop: func() { close(w.stop) }}
	if j.fleet == nil && !f.readOnly {
		ctl := engine.NewControl()
		j.plan.Control, cfg.Control = ctl, ctl
	}
	srv, err := web.Listen(cfg)
	if err != nil {
		return nil, fmt.Errorf("--web %s: %w", f.addr, err)
	}
	w.srv, w.token = srv, f.token.IsSet
	return w, nil
}

// announce tells the page's address on the live view, never the token.
func (w *liveWeb) announce(note func(string)) {
	if w == nil {
		return
	}
	how := ""
	if w.token {
		how = " (open it with ?token= and the token)"
	}
	w.note = note
	note("web view on " + w.srv.URL() + how)
}

// stopOf returns the run's graceful stop: the first Ctrl-C or, with a web
// view, its stop button, whichever comes first. The goroutine it may
// start ends with ctx.
func (w *liveWeb) stopOf(ctx context.Context, ctrlC <-chan struct{}) <-chan struct{} {
	if w == nil {
		return ctrlC
	}
	stop := make(chan struct{})
	go func() {
		select {
		case <-ctrlC:
		case <-w.stop:
		case <-ctx.Done():
			return
		}
		close(stop)
	}()
	return stop
}

// finish shows the end of the run on the page, keeps serving while
// someone watches (at most --web-keep, until the page's close button, a
// Ctrl-C or ctx), then closes the server.
func (w *liveWeb) finish(ctx context.Context, ctrlC <-chan struct{}, stderr io.Writer, fin web.Final) {
	if w == nil {
		return
	}
	w.srv.Done(fin)
	if n := w.srv.Viewers(); n > 0 && w.keep > 0 {
		fmt.Fprintf(stderr, "web view: kept open for its %d viewer(s) until the page's close button, at most %s (Ctrl-C ends it)\n",
			n, flagx.FormatDuration(w.keep))
		lctx, cancel := cancelOnStop(ctx, ctrlC)
		w.srv.Linger(lctx, w.keep)
		cancel()
	}
	w.srv.Close()
}

// start, interval and sample feed the page; nothing without --web.
func (w *liveWeb) start(ri engine.RunInfo) {
	if w != nil {
		w.srv.Start(ri)
	}
}

func (w *liveWeb) interval(iv *engine.Interval) {
	if w == nil {
		return
	}
	w.srv.Interval(iv)
	for _, c := range iv.Changes {
		if w.note != nil {
			w.note(c.String() + " (from the web view)")
		}
	}
}

func (w *liveWeb) warning(wa capture.Warning) {
	if w != nil {
		w.srv.Warning(wa)
	}
}

func (w *liveWeb) sample(smp *capture.Sample) {
	if w != nil {
		w.srv.Sample(smp)
	}
}

// close closes the server at once (a run that failed before its end).
func (w *liveWeb) close() {
	if w != nil {
		w.srv.Close()
	}
}

package live

import (
	"fmt"
	"strings"
	"time"
)

// maxWorkerLines bounds the worker lines of the view and of a log line.
const maxWorkerLines = 8

// Worker is the health of one worker of a distributed run, as its
// coordinator sees it.
type Worker struct {
	Segment string    // "2/3"
	Name    string    // host/pid; empty when no worker took the segment
	State   string    // "waiting", "running", "done" or "lost"
	Users   int       // at its latest interval
	RPS     float64   // over its latest interval
	Last    time.Time // when its latest interval arrived; zero before the first
	Why     string    // lost: why
}

// SetWorkers makes the view show the health of a distributed run's
// workers, asked of fn at every redraw (terminal) or logged window: its
// users, requests/s, and how long ago its latest interval came. fn is
// called with the Progress locked, so it must not call the Progress.
func (p *Progress) SetWorkers(fn func() []Worker) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.workers = fn
}

// describe is one worker's health at now.
func (w Worker) describe(now time.Time) string {
	who := w.Name
	if who == "" {
		who = "no worker"
	}
	s := fmt.Sprintf("worker %s %s: %s", w.Segment, who, w.State)
	switch w.State {
	case "lost":
		return s + " (" + w.Why + ")"
	case "waiting":
		return s
	}
	s += fmt.Sprintf(", users %d, rps %.1f", w.Users, w.RPS)
	if !w.Last.IsZero() {
		s += fmt.Sprintf(", last interval %.1fs ago", max(now.Sub(w.Last), 0).Seconds())
	}
	return s
}

// workerLines describes the workers, at most maxWorkerLines of them.
func (p *Progress) workerLines(now time.Time) []string {
	if p.workers == nil {
		return nil
	}
	ws := p.workers()
	var out []string
	for i, w := range ws {
		if i == maxWorkerLines {
			lost := 0
			for _, r := range ws[i:] {
				if r.State == "lost" {
					lost++
				}
			}
			out = append(out, fmt.Sprintf("... and %d more workers (%d lost)", len(ws)-i, lost))
			break
		}
		out = append(out, w.describe(now))
	}
	return out
}

// logWorkers logs the workers' health in one line, off a terminal.
func (p *Progress) logWorkers(at time.Time) {
	if lines := p.workerLines(time.Now()); len(lines) > 0 {
		p.logf(at, "%s", strings.Join(lines, "; "))
	}
}

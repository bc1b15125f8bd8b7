package live

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/internal/redact"
)

// Default windows: the terminal view's figures cover the last TTYWindow;
// off a terminal, one line is logged per LogWindow.
const (
	TTYWindow = 5 * time.Second
	LogWindow = 10 * time.Second
)

// IsTerminal reports whether f is a terminal (golang.org/x/term).
func IsTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// Progress shows a run's progress on w. Create it with New. Safe for
// concurrent use.
type Progress struct {
	mu     sync.Mutex
	w      io.Writer
	tty    bool
	window time.Duration

	info    engine.RunInfo
	started bool
	label   string             // what runs, e.g. "soak run" or "soak demo"
	recent  []*engine.Interval // the window's intervals, oldest first
	logged  time.Time          // log mode: end of the last logged window
	last    *engine.Interval   // the latest interval
	change  *engine.Change     // the latest load change made mid-run (Interval.Changes), or nil
	total   counts
	probes  []probeState
	note    string
	drawn   int // lines of the last terminal view
	quiet   Verbosity
	workers func() []Worker // a distributed run's workers, or nil
	warns   warnings        // the early warnings raised
}

// Verbosity is how much a Progress writes while a run goes.
type Verbosity int

const (
	// Everything: the live view on a terminal, else a line every
	// LogWindow, the run's headline, probes and notes (the default).
	Everything Verbosity = iota
	// NoFigures leaves out the figures (Locust's --only-summary): log
	// lines only, for the run's headline, probes and notes.
	NoFigures
	// WarningsOnly writes the notes and the probes that stop answering
	// only (-L WARNING).
	WarningsOnly
)

// SetVerbosity sets what p writes; call it before Start.
func (p *Progress) SetVerbosity(v Verbosity) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.quiet = v
	if v != Everything {
		p.tty = false // log lines: nothing is redrawn
	}
}

type counts struct{ requests, failures, limited, aborted, started, quit int64 }

type probeState struct {
	name, err string
	polls     int
}

// New returns a Progress writing to w: a redrawn view when tty is true,
// else log lines.
func New(w io.Writer, tty bool) *Progress {
	win := LogWindow
	if tty {
		win = TTYWindow
	}
	return &Progress{w: w, tty: tty, window: win, label: "run"}
}

// SetLabel names what runs in the first line: "run" (the default),
// "demo run", "capacity run".
func (p *Progress) SetLabel(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.label = s
}

// Start receives the run's description (Plan.OnStart).
func (p *Progress) Start(info engine.RunInfo) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.info, p.started, p.logged = info, true, info.Start
	if !p.tty && p.quiet < WarningsOnly {
		p.logf(info.Start, "%s", p.headline())
	}
}

// Interval receives every finished interval, in order (Plan.OnInterval).
func (p *Progress) Interval(iv *engine.Interval) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = iv
	t := iv.Total()
	p.total.requests += t.Requests
	p.total.failures += t.Failures()
	p.total.limited += t.RateLimited
	p.total.aborted += t.Aborted
	p.total.started += iv.Started
	quit := iv.UsersQuit()
	p.total.quit += quit
	p.recent = append(p.recent, iv)
	if n := len(iv.Changes); n > 0 {
		p.change = &iv.Changes[n-1]
	}
	if quit > 0 && !p.tty {
		q := iv.Quits[0]
		users := "users"
		if quit == 1 {
			users = "user"
		}
		p.logf(iv.End, "%d %s quit (%d so far of %d started), e.g. %s: %s", quit, users, p.total.quit, p.total.started, q.Name, q.Error)
	}
	if p.tty {
		for len(p.recent) > 1 && iv.End.Sub(p.recent[0].Start) > p.window {
			p.recent = p.recent[1:]
		}
		p.draw()
		return
	}
	// Half an interval of slack: intervals end a little after each
	// whole second, and a window of 10 must not wait for an 11th.
	if p.quiet == Everything && iv.End.Sub(p.logged)+iv.Duration()/2 >= p.window {
		p.logWindow()
	}
}

// Probe records a poll of the probe called name: err nil when it
// answered. Off a terminal, a change of state is logged.
func (p *Progress) Probe(name string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	msg := redact.Error(err)
	for i := range p.probes {
		s := &p.probes[i]
		if s.name == name {
			changed := (s.err == "") != (msg == "")
			s.err, s.polls = msg, s.polls+1
			if changed && !p.tty && (msg != "" || p.quiet < WarningsOnly) {
				p.logf(time.Now(), "%s", s.describe(true))
			}
			return
		}
	}
	p.probes = append(p.probes, probeState{name: name, err: msg, polls: 1})
	if !p.tty && (msg != "" || p.quiet < WarningsOnly) {
		p.logf(time.Now(), "%s", p.probes[len(p.probes)-1].describe(true))
	}
}

// describe states the probe's state; long adds what it means for the run.
func (s probeState) describe(long bool) string {
	if s.err != "" && long {
		return "probe " + s.name + ": not reachable (" + s.err + "); the run goes on, client side only"
	}
	if s.err != "" {
		return "probe " + s.name + ": not reachable (" + s.err + ")"
	}
	return "probe " + s.name + ": answering"
}

// Note shows msg: on a terminal under the figures, else as a log line.
func (p *Progress) Note(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.note = redact.Text(msg)
	if p.tty {
		p.draw()
		return
	}
	p.logf(time.Now(), "%s", msg)
}

// Finish shows the last figures: the final view, or a line for the
// window not yet logged, unless that window is a sliver of an interval
// in which nothing was recorded (the load's last instant), which would
// read as a window of 0s.
func (p *Progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		p.draw()
		return
	}
	if p.quiet != Everything || p.last == nil || !p.last.End.After(p.logged) {
		return
	}
	if win := engine.Window(p.recent...); win != nil && win.Total().Requests == 0 && win.Duration() < p.info.Interval/2 {
		return
	}
	p.logWindow()
}

// logWindow logs the intervals gathered since the last line.
func (p *Progress) logWindow() {
	p.logf(p.last.End, "%s | %s", p.elapsed(), p.figures())
	p.logWorkers(p.last.End)
	p.logged = p.last.End
	p.recent = p.recent[:0]
}

// logf writes a log line, secrets redacted.
func (p *Progress) logf(at time.Time, format string, args ...any) {
	fmt.Fprintf(p.w, "%s soak: %s\n", at.UTC().Format(time.RFC3339), redact.Text(fmt.Sprintf(format, args...)))
}

// headline describes the run: id, host, model.
func (p *Progress) headline() string {
	i := &p.info
	load := fmt.Sprintf("%d users", i.Users)
	if i.Model == "open" {
		load = fmt.Sprintf("%g arrivals/s", i.Rate)
	}
	return fmt.Sprintf("%s %s against %s, %s model, %s for %s", p.label, i.RunID, i.Host, i.Model, load, Clock(i.Duration))
}

// elapsed is "elapsed 1m05s of 30m00s (remaining 28m55s)" at the last interval.
func (p *Progress) elapsed() string {
	if p.last == nil {
		return "elapsed 0s"
	}
	el := p.last.End.Sub(p.info.Start)
	return fmt.Sprintf("elapsed %s of %s, remaining %s", Clock(el), Clock(p.info.Duration), Clock(p.info.Duration-el))
}

// figures is users, rps, percentiles of the window, failures and 429s.
func (p *Progress) figures() string {
	var b strings.Builder
	win := engine.Window(p.recent...)
	if win == nil {
		return "waiting for the first interval"
	}
	t := win.Total()
	fmt.Fprintf(&b, "users %d", win.Users)
	users, rate := p.target(win.End)
	if p.info.Model == "closed" && (users > 0 || p.change != nil) {
		fmt.Fprintf(&b, "/%d", users)
	}
	if p.total.quit > 0 {
		fmt.Fprintf(&b, " (%d quit)", p.total.quit)
	}
	secs := win.Duration().Seconds()
	rps := 0.0
	if secs > 0 {
		rps = float64(t.Requests) / secs
	}
	fmt.Fprintf(&b, " | rps %.1f", rps)
	if p.info.Model == "open" && rate > 0 {
		fmt.Fprintf(&b, " of %g/s", rate)
	}
	fmt.Fprintf(&b, " | p50 %s p95 %s p99 %s (%s)",
		Millis(t.Percentile(50)), Millis(t.Percentile(95)), Millis(t.Percentile(99)), windowLabel(win.Duration()))
	fmt.Fprintf(&b, " | failures %d (%s) | 429s %d", p.total.failures, Percent(p.total.failures, p.total.requests), p.total.limited)
	if s := win.Schedule; s.Late > 0 || s.Dropped > 0 {
		fmt.Fprintf(&b, " | late %d dropped %d", s.Late, s.Dropped)
	}
	return b.String()
}

// target is the load the run aims at, at: the users (closed model) or
// the arrival rate (open) of the plan's stage under way, or of the latest
// change made mid-run (soak run --web), which holds until the next
// planned stage begins (engine.Control).
func (p *Progress) target(at time.Time) (users int, rate float64) {
	users, rate = p.info.Users, p.info.Rate
	var from time.Time
	if p.info.Segment == "" { // a segment's stages are not its share
		for _, s := range p.info.Stages {
			if t := p.info.Start.Add(s.At); !t.After(at) {
				users, rate, from = s.Users, s.Rate, t
			}
		}
	}
	if c := p.change; c != nil && !c.At.Before(from) && !c.At.After(at) {
		users, rate = c.Users, c.Rate
	}
	return users, rate
}

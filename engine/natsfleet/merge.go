package natsfleet

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/soaklab/soak/engine"
)

// merger puts the workers' intervals of one run together, seq by seq,
// exactly (engine.Interval.Add), reading the run's messages in the
// stream's order: the coordinator's events and the workers' intervals
// and last words. It is a pure function of that order, and every
// decision the coordinator takes in time (a worker given up) is an event
// in the same stream: so the coordinator feeding it as messages arrive
// and a replay reading the stream back emit the same merged intervals.
//
// Merged interval k is emitted once every worker of the run is either
// done with it (its interval k arrived), done altogether (it ended
// before k), or lost: from then on its segment is named in the merged
// intervals' Lost and nothing stands in for it. Intervals a lost worker
// sends afterwards are counted (Late) and left out.
//
// Not safe for concurrent use.
type merger struct {
	emit    func(*engine.Interval) // receives every merged interval, in order
	info    *engine.RunInfo        // the start event's, nil before it
	start   time.Time
	workers []*wstate // in part order; a part no worker took has an empty id
	byID    map[string]*wstate
	next    int  // the next merged seq to emit
	over    bool // every worker done or lost, everything emitted
	stop    bool // the coordinator asked for a graceful stop
	abort   bool // ... for a hard one
	ended   bool // the coordinator's end event: it finished the run
	unknown int  // messages from workers not in the run, ignored
}

// wstate is what the merger knows of one part and its worker.
type wstate struct {
	part      part
	got       map[int]*engine.Interval // complete intervals not yet merged, by seq
	gathering *engine.Interval         // parts of interval `delivered` so far
	have      int                      // ... how many parts
	delivered int                      // intervals 0..delivered-1 arrived
	sent      int                      // -1 until its done message
	ending    engine.Ending
	lostFrom  int // -1, or the first merged seq that lacks it (in part)
	lostAt    time.Time
	why       string
	late      int // messages after it was lost, left out
	// health, from its latest interval
	users   int
	rps     float64
	lastEnd time.Time // End of its latest interval
	seen    time.Time // stream time of its latest interval
}

func newMerger(emit func(*engine.Interval)) *merger {
	return &merger{emit: emit, byID: map[string]*wstate{}}
}

// started reports whether the start event was read.
func (m *merger) started() bool { return m.info != nil }

// apply reads one message of the run: subject (below the run's prefix
// runs, as "ev" or "w.<id>.iv"), data, a header getter and the stream's
// timestamp. A message that cannot be decoded is an error and changes
// nothing.
func (m *merger) apply(rel string, data []byte, header func(string) string, at time.Time) error {
	if rel == "ev" {
		var ev event
		if err := decodeJSON(data, &ev, "event"); err != nil {
			return err
		}
		m.event(&ev, at)
		return nil
	}
	id, kind, ok := strings.Cut(strings.TrimPrefix(rel, "w."), ".")
	if !ok || !strings.HasPrefix(rel, "w.") {
		return fmt.Errorf("%w: subject %q", ErrMessage, rel)
	}
	w := m.byID[id]
	if w == nil {
		m.unknown++
		return nil
	}
	switch kind {
	case kindInterval:
		i, n, err := partHeaders(header)
		if err != nil {
			return err
		}
		iv, err := engine.DecodeInterval(data)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrMessage, err)
		}
		m.interval(w, iv, i, n, at)
	case kindDone:
		var d done
		if err := decodeJSON(data, &d, "done"); err != nil {
			return err
		}
		m.done(w, &d, at)
	default:
		return fmt.Errorf("%w: subject %q", ErrMessage, rel)
	}
	m.flush()
	return nil
}

func (m *merger) event(ev *event, at time.Time) {
	switch ev.Kind {
	case evStart:
		if m.started() || ev.Info == nil {
			return
		}
		info := *ev.Info
		m.info, m.start = &info, ev.At
		for _, p := range ev.Parts {
			w := &wstate{part: p, got: map[int]*engine.Interval{}, sent: -1, lostFrom: -1}
			if p.Worker == "" {
				w.lostFrom, w.lostAt, w.why = 0, ev.At, "no worker took this segment before the start"
			} else {
				m.byID[p.Worker] = w
			}
			m.workers = append(m.workers, w)
		}
	case evLost:
		if w := m.byID[ev.Worker]; w != nil {
			m.lose(w, w.delivered, at, ev.Why)
		}
	case evStop:
		m.stop = true
	case evAbort:
		m.abort = true
	case evEnd:
		m.ended = true
	}
	m.flush()
}

func (m *merger) interval(w *wstate, iv *engine.Interval, i, n int, at time.Time) {
	switch {
	case w.lostFrom >= 0 && iv.Seq >= w.lostFrom:
		w.late++
		return
	case iv.Seq < w.delivered || w.sent >= 0:
		return // a duplicate
	case iv.Seq > w.delivered:
		m.lose(w, w.delivered, at, fmt.Sprintf("its interval %d came before interval %d", iv.Seq, w.delivered))
		return
	}
	switch {
	case i < w.have:
		return // a part again
	case i > w.have:
		m.lose(w, w.delivered, at, fmt.Sprintf("the parts of its interval %d came out of order", iv.Seq))
		return
	}
	if w.gathering == nil {
		w.gathering = &engine.Interval{}
	}
	w.gathering.Add(iv, 0)
	if w.have++; w.have < n {
		return
	}
	full := w.gathering
	full.Seq, full.Span = iv.Seq, 1
	w.gathering, w.have = nil, 0
	w.got[full.Seq] = full
	w.delivered++
	t := full.Total()
	w.users, w.lastEnd, w.seen, w.rps = full.Users, full.End, at, 0
	if d := full.Duration().Seconds(); d > 0 {
		w.rps = float64(t.Requests) / d
	}
}

func (m *merger) done(w *wstate, d *done, at time.Time) {
	if w.sent >= 0 || w.lostFrom >= 0 {
		return
	}
	w.gathering, w.have = nil, 0
	w.sent, w.ending = min(d.Sent, w.delivered), d.Ending
	switch {
	case d.Error != "":
		m.lose(w, max(w.delivered-1, 0), at, "its worker failed: "+d.Error)
	case d.Sent > w.delivered:
		m.lose(w, w.delivered, at, fmt.Sprintf("it sent %d intervals, %d reached the stream", d.Sent, w.delivered))
	case d.Ending != engine.EndCompleted && !m.stop && !m.abort:
		// Its last interval was cut short: the segment counts in part.
		m.lose(w, max(w.delivered-1, 0), at, fmt.Sprintf("its worker ended early (%s) while the run went on", d.Ending))
	}
}

// lose gives up on w from merged seq `from` on (not before the next to
// emit, which must not change).
func (m *merger) lose(w *wstate, from int, at time.Time, why string) {
	if w.lostFrom >= 0 {
		return
	}
	w.lostFrom, w.lostAt, w.why = max(from, m.next), at, why
	w.gathering, w.have = nil, 0
	if w.sent < 0 {
		w.sent = w.delivered
	}
}

// ready reports whether w has nothing more to give to merged seq k.
func (w *wstate) ready(k int) bool {
	return k < w.delivered || w.lostFrom >= 0 && k >= w.lostFrom || w.sent >= 0 && k >= w.sent
}

// flush emits every merged interval that is complete.
func (m *merger) flush() {
	for m.started() && !m.over {
		k, some := m.next, false
		for _, w := range m.workers {
			if !w.ready(k) {
				return
			}
			some = some || k < w.delivered
		}
		if !some {
			m.over = true // everyone done or lost, and nothing is left
			return
		}
		merged := &engine.Interval{Seq: k}
		for _, w := range m.workers {
			if iv := w.got[k]; iv != nil {
				merged.Add(iv, 0)
				delete(w.got, k)
			}
			if w.lostFrom >= 0 && k >= w.lostFrom {
				merged.Lost = append(merged.Lost, w.part.Segment)
			}
		}
		merged.Span = 1
		slices.Sort(merged.Lost)
		m.next++
		m.emit(merged)
	}
}

// finish gives up on every worker still expected, for why, and emits
// what is left: the end of a replay, or of a coordinator that stopped
// waiting.
func (m *merger) finish(at time.Time, why string) {
	if !m.started() {
		m.over = true // no start: nothing to merge
		return
	}
	for _, w := range m.workers {
		if w.lostFrom < 0 && (w.sent < 0 || w.sent > w.delivered) {
			m.lose(w, w.delivered, at, why)
		}
	}
	m.flush()
}

// parts describes the run's parts for RunInfo.Parts: who ran each, and
// when and why a lost one stopped counting (the end of its last
// interval, or the start when it sent none).
func (m *merger) parts() []engine.Part {
	out := make([]engine.Part, len(m.workers))
	for i, w := range m.workers {
		out[i] = engine.Part{Segment: w.part.Segment, Engine: w.part.Name}
		if w.lostFrom >= 0 {
			out[i].Stopped, out[i].Why = w.lastEnd, w.why
			if w.lastEnd.IsZero() {
				out[i].Stopped = m.start
			}
		}
	}
	return out
}

// Health is what the coordinator knows of one part of the run and its
// worker, for a live view.
type Health struct {
	Segment string // as engine.Segment.String
	Worker  string // its name (host/pid); empty when no worker took it
	State   string // "waiting" (no interval yet), "running", "done" or "lost"
	Users   int    // running users (closed model) or workers (open) at its latest interval
	RPS     float64
	// Last is when its latest interval reached the stream (zero before
	// the first); its age says how late the worker is.
	Last time.Time
	Why  string // lost: why
}

// health describes every part.
func (m *merger) health() []Health {
	out := make([]Health, len(m.workers))
	for i, w := range m.workers {
		h := Health{Segment: w.part.Segment, Worker: w.part.Name, Users: w.users, RPS: w.rps, Last: w.seen, State: "running"}
		switch {
		case w.lostFrom >= 0:
			h.State, h.Why = "lost", w.why
		case w.sent >= 0:
			h.State = "done"
		case w.delivered == 0:
			h.State = "waiting"
		}
		out[i] = h
	}
	return out
}

// late counts the intervals lost workers sent after they were given up.
func (m *merger) late() int {
	n := 0
	for _, w := range m.workers {
		n += w.late
	}
	return n
}

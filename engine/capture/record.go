package capture

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// ErrRecord wraps every error of decoding a saved capture.
var ErrRecord = errors.New("capture: bad record")

// MaxRecordLine bounds one encoded record, in bytes.
const MaxRecordLine = 64 << 20

// record is one line of a capture file: exactly one field besides Type
// is set.
type record struct {
	Type        string         `json:"type"` // "config", "sample", "phase-start", "phase", "leaks", "profile", "environment", "warning"
	Config      *CaptureConfig `json:"config,omitempty"`
	Sample      *Sample        `json:"sample,omitempty"`
	Span        *Span          `json:"span,omitempty"`
	Leaks       *LeakCapture   `json:"leaks,omitempty"`
	Profile     *Profile       `json:"profile,omitempty"`
	Environment *Environment   `json:"environment,omitempty"`
	Warning     *Warning       `json:"warning,omitempty"`
}

// RecordWriter appends a capture to w as JSON lines, one record per
// sample, phase, leak report, profile reference and environment, as they
// happen, so that a crash loses only what the caller had not flushed.
// [ReadCapture] reads them back. It does not buffer: wrap w in a
// bufio.Writer and flush it as often as a crash may lose. It is safe for
// concurrent use.
type RecordWriter struct {
	mu  sync.Mutex
	w   io.Writer
	buf bytes.Buffer
}

// NewRecordWriter returns a writer of JSON lines to w.
func NewRecordWriter(w io.Writer) *RecordWriter { return &RecordWriter{w: w} }

// Config records the runner's configuration.
func (w *RecordWriter) Config(c *CaptureConfig) error {
	return w.write(&record{Type: "config", Config: c})
}

// Sample records one poll.
func (w *RecordWriter) Sample(s *Sample) error { return w.write(&record{Type: "sample", Sample: s}) }

// PhaseStart records that phase p started at start, as it happens, so
// that a capture cut short by a crash still has the phases it reached
// (see [ReadCapture]).
func (w *RecordWriter) PhaseStart(p Phase, start time.Time) error {
	return w.write(&record{Type: "phase-start", Span: &Span{Phase: p, Start: start}})
}

// Phase records a phase's span (written when the phase ends).
func (w *RecordWriter) Phase(s Span) error { return w.write(&record{Type: "phase", Span: &s}) }

// Leaks records a leak report.
func (w *RecordWriter) Leaks(l *LeakCapture) error { return w.write(&record{Type: "leaks", Leaks: l}) }

// Profile records a profile's reference (its Path; the data is in the
// file).
func (w *RecordWriter) Profile(p *Profile) error {
	return w.write(&record{Type: "profile", Profile: p})
}

// Warning records an early warning when first raised, and again when
// it changes (its updates at the run's end, EndedRun): [ReadCapture]
// keeps the last record of each (kind, source, where).
func (w *RecordWriter) Warning(x *Warning) error {
	return w.write(&record{Type: "warning", Warning: x})
}

// Environment records the test environment.
func (w *RecordWriter) Environment(e *Environment) error {
	return w.write(&record{Type: "environment", Environment: e})
}

func (w *RecordWriter) write(r *record) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Reset()
	if err := json.NewEncoder(&w.buf).Encode(r); err != nil {
		return fmt.Errorf("capture: encoding %s record: %w", r.Type, err)
	}
	_, err := w.w.Write(w.buf.Bytes())
	return err
}

// ReadCapture reads what a RecordWriter wrote and rebuilds the Capture
// (profiles by reference: call [Capture.LoadProfiles] for their data).
// Blank lines are skipped. An error names name and the line, e.g.
// "capture: bad record: out/probe.jsonl:12: sample: no source"; a last
// line cut short by a crash is an error too, and the Capture returned with
// it holds every record before it.
//
// A phase that started (a "phase-start" record) but whose span was never
// written (the run was killed) ends where the next phase started, or, for
// the last one, at the last record read; Capture.Cut is then set, and
// [Capture.ExtendCut] can stretch it to a later time the caller knows
// (the last saved interval's end).
func ReadCapture(r io.Reader, name string) (*Capture, error) {
	rd := &reader{c: &Capture{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxRecordLine)
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if err := rd.add(b); err != nil {
			rd.closePhases()
			return rd.c, fmt.Errorf("%w: %s:%d: %v", ErrRecord, name, line, err)
		}
	}
	rd.closePhases()
	if err := sc.Err(); err != nil {
		return rd.c, fmt.Errorf("%w: %s: %v", ErrRecord, name, err)
	}
	return rd.c, nil
}

// reader rebuilds a Capture record by record.
type reader struct {
	c       *Capture
	started []Span    // phases started, in order, End unset
	last    time.Time // the latest time of any record
}

func (rd *reader) add(b []byte) error {
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	c := rd.c
	switch {
	case r.Type == "config" && r.Config != nil:
		c.Config = r.Config
	case r.Type == "sample" && r.Sample != nil:
		s := r.Sample
		if s.Source == "" {
			return errors.New("sample: no source")
		}
		if s.Snapshot == nil && s.Error == "" {
			return errors.New("sample: neither snapshot nor error")
		}
		if !s.Phase.Valid() {
			return fmt.Errorf("sample: unknown phase %q", s.Phase)
		}
		c.Timeline.Add(s)
		rd.seen(s.Time)
	case r.Type == "phase-start" && r.Span != nil:
		if !r.Span.Phase.Valid() {
			return fmt.Errorf("phase-start: unknown phase %q", r.Span.Phase)
		}
		if n := len(rd.started); n > 0 && r.Span.Start.Before(rd.started[n-1].Start) {
			return fmt.Errorf("phase-start (%s): starts before %s started", r.Span.Phase, rd.started[n-1].Phase)
		}
		rd.started = append(rd.started, Span{Phase: r.Span.Phase, Start: r.Span.Start})
		rd.seen(r.Span.Start)
	case r.Type == "phase" && r.Span != nil:
		t := append(c.Timing, *r.Span)
		if err := t.Check(); err != nil {
			return err
		}
		c.Timing = t
		rd.seen(r.Span.End)
	case r.Type == "leaks" && r.Leaks != nil:
		if r.Leaks.Report == nil && r.Leaks.Error == "" {
			return errors.New("leaks: neither report nor error")
		}
		c.Leaks = append(c.Leaks, *r.Leaks)
		rd.seen(r.Leaks.Time)
	case r.Type == "profile" && r.Profile != nil:
		c.Profiles = append(c.Profiles, *r.Profile)
		rd.seen(r.Profile.Time)
	case r.Type == "warning" && r.Warning != nil:
		if r.Warning.Kind == "" || r.Warning.Where == "" {
			return errors.New("warning: no kind or where")
		}
		c.AddWarning(*r.Warning)
		rd.seen(r.Warning.Time)
	case r.Type == "environment" && r.Environment != nil:
		c.Environment = r.Environment
	default:
		return fmt.Errorf("type %q: unknown, or its field is missing", r.Type)
	}
	return nil
}

func (rd *reader) seen(t time.Time) {
	if t.After(rd.last) {
		rd.last = t
	}
}

// closePhases adds to the timing the phases that started but were never
// written whole: each ends where the next phase started, the last at the
// latest record. Phases already written, or that would overlap one, are
// left out.
func (rd *reader) closePhases() {
	c := rd.c
	for i, s := range rd.started {
		if _, done := c.Timing.Span(s.Phase); done {
			continue
		}
		s.End = rd.last
		if i+1 < len(rd.started) {
			s.End = rd.started[i+1].Start
		}
		if s.End.Before(s.Start) {
			s.End = s.Start
		}
		if n := len(c.Timing); n > 0 && s.Start.Before(c.Timing[n-1].End) {
			continue
		}
		c.Timing = append(c.Timing, s)
		c.Cut = true
	}
}

// ExtendCut stretches the last phase of a capture cut short ([Capture.Cut],
// see [ReadCapture]) to end, when end is later: the caller knows the run
// went on (its last saved interval ended then) after the capture's last
// record.
func (c *Capture) ExtendCut(end time.Time) {
	if n := len(c.Timing); c.Cut && n > 0 && end.After(c.Timing[n-1].End) {
		c.Timing[n-1].End = end
	}
}

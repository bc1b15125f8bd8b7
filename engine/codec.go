package engine

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ErrInterval wraps every error of decoding a saved interval.
var ErrInterval = errors.New("engine: bad interval")

// MaxIntervalLine bounds one encoded interval, in bytes.
const MaxIntervalLine = 64 << 20

// IntervalWriter writes intervals as JSON lines: one interval per line,
// histograms in the HdrHistogram V2 compressed format (base64). Reading
// them back with [ReadIntervals] gives exactly the same intervals. It does
// not buffer: wrap w in a bufio.Writer and flush it as often as a crash may
// lose. Not safe for concurrent use.
type IntervalWriter struct {
	w   io.Writer
	buf bytes.Buffer
}

// NewIntervalWriter returns a writer of JSON lines to w.
func NewIntervalWriter(w io.Writer) *IntervalWriter { return &IntervalWriter{w: w} }

// Write writes iv as one line.
func (w *IntervalWriter) Write(iv *Interval) error {
	w.buf.Reset()
	if err := json.NewEncoder(&w.buf).Encode(iv); err != nil { // Encode ends the line
		return fmt.Errorf("engine: encoding interval %d: %w", iv.Seq, err)
	}
	_, err := w.w.Write(w.buf.Bytes())
	return err
}

// ReadIntervals reads the JSON lines that IntervalWriter wrote, in order.
// Blank lines are skipped. An error names name (a file name, say) and the
// line, e.g. "engine: bad interval: run/intervals.jsonl:12: stats[0]:
// failures exceed requests". A last line cut short by a crash is an error
// too: callers that accept a torn tail can use the intervals returned
// before it, which are complete.
func ReadIntervals(r io.Reader, name string) ([]*Interval, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxIntervalLine)
	var out []*Interval
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		iv, err := decodeInterval(b)
		if err != nil {
			return out, fmt.Errorf("%w: %s:%d: %v", ErrInterval, name, line, err)
		}
		out = append(out, iv)
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("%w: %s: %v", ErrInterval, name, err)
	}
	return out, nil
}

// DecodeInterval decodes one JSON interval and checks that it is
// consistent (sorted unique stats, counts that add up, histograms that
// hold every request), so that everything computed from it is sound.
func DecodeInterval(b []byte) (*Interval, error) {
	iv, err := decodeInterval(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInterval, err)
	}
	return iv, nil
}

func decodeInterval(b []byte) (*Interval, error) {
	var iv Interval
	if err := json.Unmarshal(b, &iv); err != nil {
		return nil, err
	}
	if err := iv.check(); err != nil {
		return nil, err
	}
	return &iv, nil
}

func (iv *Interval) check() error {
	switch {
	case iv.Seq < 0:
		return fmt.Errorf("seq: negative (%d)", iv.Seq)
	case iv.Span < 1:
		return fmt.Errorf("span: %d is below 1", iv.Span)
	case iv.End.Before(iv.Start):
		return errors.New("end: before start")
	case iv.Users < 0 || iv.MaxUsers < 0:
		return errors.New("users: negative")
	case iv.ErrorsOverflow < 0 || iv.CPU < 0 || iv.Started < 0:
		return errors.New("errors_overflow, cpu_ns or started: negative")
	}
	if len(iv.Lost) > MaxParts {
		return fmt.Errorf("lost: %d segments, at most %d", len(iv.Lost), MaxParts)
	}
	for i, l := range iv.Lost {
		if l == "" || len(l) > 64 || i > 0 && iv.Lost[i-1] >= l {
			return fmt.Errorf("lost[%d]: empty, longer than 64 bytes, or not sorted", i)
		}
	}
	if len(iv.Changes) > maxIntervalChanges {
		return fmt.Errorf("changes: %d, at most %d", len(iv.Changes), maxIntervalChanges)
	}
	for i, c := range iv.Changes {
		if c.Users < 0 || c.Users > MaxControlUsers || !(c.Rate >= 0 && c.Rate <= MaxControlRate) ||
			c.Rate > 0 && (c.Users != 0 || c.Zero) || c.Zero && c.Users != 0 || c.At.IsZero() {
			return fmt.Errorf("changes[%d]: users, rate or at out of range", i)
		}
	}
	for k, v := range iv.Classes {
		if v < 0 {
			return fmt.Errorf("classes[%q]: negative", k)
		}
	}
	for i := range iv.Stats {
		if err := iv.Stats[i].check(); err != nil {
			return fmt.Errorf("stats[%d]: %v", i, err)
		}
		if i > 0 && compareStats(&iv.Stats[i-1], &iv.Stats[i]) >= 0 {
			return fmt.Errorf("stats[%d]: not sorted by name and method, or repeated", i)
		}
	}
	for _, list := range [][]ErrorStat{iv.Errors, iv.Exceptions, iv.Quits} {
		for i, e := range list {
			if e.Count <= 0 || e.Kind >= NumKinds || e.Last.Before(e.First) {
				return fmt.Errorf("errors[%d]: count, kind or first/last out of range", i)
			}
		}
	}
	s := &iv.Schedule
	if min(s.Arrivals, s.Started, s.Late, s.Dropped, s.SumLagMicros, s.MaxLagMicros, int64(s.Workers), int64(s.PeakWorkers)) < 0 {
		return errors.New("schedule: negative count")
	}
	return nil
}

func (s *Stat) check() error {
	for k, c := range s.Kinds {
		if c < 0 {
			return fmt.Errorf("failures[%s]: negative", Kind(k))
		}
	}
	switch {
	case min(s.Requests, s.RateLimited, s.Aborted, s.Bytes, s.SumMicros, s.MinMicros, s.MaxMicros, s.OutOfRange) < 0:
		return errors.New("negative count")
	case s.Failures()+s.RateLimited > s.Requests:
		return errors.New("failures and 429s exceed requests")
	case s.Latency.Count() != s.Requests:
		return fmt.Errorf("histogram holds %d values for %d requests", s.Latency.Count(), s.Requests)
	case s.MinMicros > s.MaxMicros:
		return errors.New("min_us above max_us")
	case s.OutOfRange > s.Requests:
		return errors.New("out_of_range exceeds requests")
	}
	return nil
}

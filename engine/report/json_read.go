package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
)

// ErrJSON wraps every error of reading a JSON document.
var ErrJSON = errors.New("report: bad JSON document")

// MaxJSONBytes bounds the document ReadJSON reads: far above what a
// 24-hour run writes (its series is bounded by engine.DefaultMaxIntervals).
const MaxJSONBytes = 1 << 30

// ReadJSON reads a document that [JSON] wrote and checks it: the
// format, counts that add up, percentiles in order, intervals in time
// order. An error names name (a file name), and the line and column of a
// syntax error or the member at fault, e.g. "report: bad JSON document:
// out/report.json: endpoints[2].failures: failures and 429s exceed
// requests". Members it does not know are ignored (see [Format]).
func ReadJSON(r io.Reader, name string) (*Document, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxJSONBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrJSON, name, err)
	}
	if len(b) > MaxJSONBytes {
		return nil, fmt.Errorf("%w: %s: larger than %d bytes", ErrJSON, name, MaxJSONBytes)
	}
	var probe struct {
		Format *string `json:"format"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, fmt.Errorf("%w: %s:%s", ErrJSON, name, syntaxPos(b, err))
	}
	switch {
	case probe.Format == nil:
		return nil, fmt.Errorf("%w: %s: format: missing (not a soak JSON document)", ErrJSON, name)
	case *probe.Format != Format:
		return nil, fmt.Errorf("%w: %s: format: %q is not %q", ErrJSON, name, *probe.Format, Format)
	}
	var d Document
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("%w: %s:%s", ErrJSON, name, syntaxPos(b, err))
	}
	if err := d.check(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrJSON, name, err)
	}
	return &d, nil
}

// syntaxPos turns a decoding error into " LINE:COL: message" (or
// " message" when it has no offset).
func syntaxPos(b []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = max(se.Offset-1, 0) // Offset counts the bytes read, the bad one included
	case errors.As(err, &te):
		off = te.Offset
		err = fmt.Errorf("%s: %s is not a %s", te.Field, te.Value, te.Type)
	}
	off = min(off, int64(len(b)))
	if off < 0 {
		return " " + err.Error()
	}
	line := 1 + bytes.Count(b[:off], []byte{'\n'})
	col := int(off) - bytes.LastIndexByte(b[:off], '\n')
	return fmt.Sprintf("%d:%d: %v", line, col, err)
}

func (d *Document) check() error {
	if d.Run.End.Before(d.Run.Start) {
		return errors.New("run.end: before run.start")
	}
	if d.Run.Width < 0 {
		return errors.New("run.width: negative")
	}
	if err := d.Totals.check(); err != nil {
		return fmt.Errorf("totals.%v", err)
	}
	for i := range d.Endpoints {
		if err := d.Endpoints[i].check(); err != nil {
			return fmt.Errorf("endpoints[%d].%v", i, err)
		}
	}
	for i, e := range d.Errors {
		if e.Count <= 0 || e.Last.Before(e.First) {
			return fmt.Errorf("errors[%d]: count or first/last out of range", i)
		}
	}
	for i, e := range d.Exceptions {
		if e.Count <= 0 || e.Last.Before(e.First) {
			return fmt.Errorf("exceptions[%d]: count or first/last out of range", i)
		}
	}
	for i, e := range d.Quits {
		if e.Count <= 0 || e.Last.Before(e.First) {
			return fmt.Errorf("quits[%d]: count or first/last out of range", i)
		}
	}
	if d.UsersStarted < 0 {
		return errors.New("users_started: negative")
	}
	for i := range d.Intervals {
		iv := &d.Intervals[i]
		if err := iv.check(); err != nil {
			return fmt.Errorf("intervals[%d].%v", i, err)
		}
		if i > 0 && iv.Start.Before(d.Intervals[i-1].Start) {
			return fmt.Errorf("intervals[%d].start: before the previous interval's", i)
		}
	}
	return nil
}

// finite reports whether every value is a finite, non-negative number.
func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return false
		}
	}
	return true
}

func counts(requests, failures, rateLimited int64, more ...int64) error {
	if min(requests, failures, rateLimited) < 0 {
		return errors.New("requests: negative count")
	}
	for _, n := range more {
		if n < 0 {
			return errors.New("requests: negative count")
		}
	}
	if failures > requests-rateLimited {
		return errors.New("failures: failures and 429s exceed requests")
	}
	return nil
}

func (e *Endpoint) check() error {
	if err := counts(e.Requests, e.Failures, e.RateLimited, e.Aborted, e.Bytes, e.OutOfRange); err != nil {
		return err
	}
	if e.FailuresByKind.Total() != e.Failures {
		return errors.New("failures_by_kind: does not add up to failures")
	}
	if e.Successes != e.Requests-e.Failures-e.RateLimited {
		return errors.New("successes: not requests - failures - rate_limited")
	}
	if !finite(e.AvgBytes, e.RPS, e.FailuresPerSecond, e.RateLimitedPerSecond, e.MeanMs, e.MinMs, e.MaxMs) {
		return errors.New("rps: a rate or latency is negative or not finite")
	}
	if e.MinMs > e.MaxMs {
		return errors.New("min_ms: above max_ms")
	}
	if e.Requests == 0 {
		if len(e.Percentiles) != 0 {
			return errors.New("percentiles_ms: present without requests")
		}
		return nil
	}
	prev := 0.0
	for _, k := range PercentileKeys {
		v, ok := e.Percentiles[k]
		if !ok {
			return fmt.Errorf("percentiles_ms: %q missing", k)
		}
		if !finite(v) || v < prev {
			return fmt.Errorf("percentiles_ms[%q]: negative, not finite, or below a lower percentile", k)
		}
		prev = v
	}
	if len(e.Percentiles) != len(PercentileKeys) {
		return errors.New("percentiles_ms: unknown key")
	}
	return nil
}

func (iv *IntervalSummary) check() error {
	switch {
	case iv.Seq < 0 || iv.Span < 1:
		return errors.New("seq: negative, or span below 1")
	case iv.End.Before(iv.Start):
		return errors.New("end: before start")
	case iv.Users < 0:
		return errors.New("users: negative")
	}
	if err := counts(iv.Requests, iv.Failures, iv.RateLimited, iv.Aborted, iv.Late, iv.Dropped); err != nil {
		return err
	}
	if !finite(iv.RPS, iv.FailuresPerSecond, iv.RateLimitedPerSecond, iv.MeanMs, iv.P50Ms, iv.P95Ms,
		iv.P99Ms, iv.MaxMs, iv.CPUSeconds, iv.MaxLagMs) || iv.P50Ms > iv.P95Ms || iv.P95Ms > iv.P99Ms {
		return errors.New("p50_ms: a rate or latency is negative, not finite, or out of order")
	}
	for j := range iv.Endpoints {
		e := &iv.Endpoints[j]
		if err := counts(e.Requests, e.Failures, e.RateLimited); err != nil {
			return fmt.Errorf("endpoints[%d].%v", j, err)
		}
		if !finite(e.MeanMs, e.P50Ms, e.P95Ms, e.P99Ms, e.MaxMs) || e.P50Ms > e.P95Ms || e.P95Ms > e.P99Ms {
			return fmt.Errorf("endpoints[%d].p50_ms: a latency is negative, not finite, or out of order", j)
		}
	}
	return nil
}

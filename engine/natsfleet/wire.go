package natsfleet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/soaklab/soak/engine"
)

// ErrMessage wraps the error of a message that cannot be decoded: a
// stream shared with something else, or a newer soak.
var ErrMessage = errors.New("natsfleet: bad message")

// announcement is a job's latest run, the last message on
// soak.<job>.plan: what a worker needs to find the run and its spec.
type announcement struct {
	Run         string        `json:"run"`
	Coordinator string        `json:"coordinator"` // who coordinates, for people
	Created     time.Time     `json:"created"`
	Parts       []string      `json:"parts"` // the split, Segment.String of each
	SpecSize    int64         `json:"spec_size"`
	SpecSHA256  string        `json:"spec_sha256"` // hex
	LostAfter   time.Duration `json:"lost_after_ns"`
}

// joinRequest is a worker asking the coordinator for a segment.
type joinRequest struct {
	Worker string `json:"worker"`        // its id, a subject token
	Name   string `json:"name"`          // for people: host/pid
	Index  int    `json:"index"`         // the 0-based part it asks for; -1: any
	Cores  int    `json:"cores"`         // the cores its engine may use
	Why    string `json:"why,omitempty"` // leaving (Index -2): why
}

// joinReply gives the worker its part, or says why not.
type joinReply struct {
	Index   int    `json:"index"`
	Segment string `json:"segment,omitempty"`
	Refused string `json:"refused,omitempty"`
}

// Event kinds, on soak.<job>.run.<run>.ev.
const (
	evStart = "start" // the common start: At, Parts
	evLost  = "lost"  // the coordinator gave up on a worker: Worker, Seq, Why
	evStop  = "stop"  // stop the load gracefully (the coordinator's first Ctrl-C)
	evAbort = "abort" // stop at once, aborting requests in flight
	evEnd   = "end"   // the coordinator merged everything and finished
)

// event is one decision of the coordinator. Every worker and every
// replay reads the same events in the same order as the workers'
// messages, so the merge is the same live and rebuilt.
type event struct {
	Kind   string          `json:"kind"`
	At     time.Time       `json:"at,omitzero"`     // start
	Parts  []part          `json:"parts,omitempty"` // start
	Info   *engine.RunInfo `json:"info,omitempty"`  // start: the whole plan's, as the merged run's
	Worker string          `json:"worker,omitempty"`
	Seq    int             `json:"seq,omitempty"` // lost: the first interval it lacks (at the latest)
	Why    string          `json:"why,omitempty"`
}

// part is a segment of the run and the worker that took it (none: "").
type part struct {
	Segment string `json:"segment"`
	Worker  string `json:"worker,omitempty"`
	Name    string `json:"name,omitempty"`
}

// done is a worker's last word: how many intervals it sent (0..Sent-1)
// and how its engine ended.
type done struct {
	Sent   int           `json:"sent"`
	Ending engine.Ending `json:"ending"`
	Error  string        `json:"error,omitempty"`
	Took   time.Duration `json:"took_ns,omitempty"`
}

// Headers of an interval part: an interval too large for one message
// goes in several, each an Interval with a share of its stats, which
// Interval.Add puts back together exactly.
const (
	hdrPart  = "Soak-Part"
	hdrParts = "Soak-Parts"
)

// maxParts bounds the parts of one interval.
const maxParts = 1000

func decodeJSON(b []byte, v any, what string) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrMessage, what, err)
	}
	return nil
}

// partHeaders reads an interval part's position; a message without the
// headers is the whole interval.
func partHeaders(get func(string) string) (i, n int, err error) {
	if get(hdrParts) == "" {
		return 0, 1, nil
	}
	i, err1 := strconv.Atoi(get(hdrPart))
	n, err2 := strconv.Atoi(get(hdrParts))
	if err1 != nil || err2 != nil || n < 1 || n > maxParts || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("%w: interval part %q of %q", ErrMessage, get(hdrPart), get(hdrParts))
	}
	return i, n, nil
}

// splitInterval cuts iv into parts whose JSON encodings fit in limit
// bytes: the first keeps everything but the stats that do not fit; the
// others hold stats only. Adding the parts (Interval.Add) gives iv back.
// It returns the encoded parts. Each stat is encoded once (a histogram's
// encoding is the costly part); a part is its encoding without stats
// with the stats' encodings spliced in, so sizes add up exactly.
func splitInterval(iv *engine.Interval, limit int) ([][]byte, error) {
	whole, err := json.Marshal(iv)
	if err != nil {
		return nil, fmt.Errorf("natsfleet: encoding interval %d: %w", iv.Seq, err)
	}
	if len(whole) <= limit {
		return [][]byte{whole}, nil
	}
	stats := make([][]byte, len(iv.Stats))
	for i := range iv.Stats {
		if stats[i], err = json.Marshal(&iv.Stats[i]); err != nil {
			return nil, fmt.Errorf("natsfleet: encoding interval %d: %w", iv.Seq, err)
		}
	}
	head := *iv
	head.Stats = nil
	bare := &engine.Interval{Seq: iv.Seq, Span: iv.Span, Start: iv.Start, End: iv.End}
	var out [][]byte
	for cur, from := &head, 0; from < len(stats) || len(out) == 0; cur = bare {
		empty, err := json.Marshal(cur)
		if err != nil {
			return nil, err
		}
		at := bytes.Index(empty, []byte(statsNull))
		if at < 0 {
			return nil, fmt.Errorf("natsfleet: interval %d: no stats field in its encoding", iv.Seq)
		}
		at += len(statsNull) - len("null")
		size, to := len(empty)-len("null")+len("[]"), from
		for to < len(stats) && size+len(stats[to])+min(to-from, 1) <= limit {
			size += len(stats[to]) + min(to-from, 1)
			to++
		}
		switch {
		case to == from && from < len(stats):
			return nil, fmt.Errorf("natsfleet: interval %d: a stat does not fit in a message of %d bytes", iv.Seq, limit)
		case len(out) == maxParts:
			return nil, fmt.Errorf("natsfleet: interval %d needs more than %d messages", iv.Seq, maxParts)
		}
		b := make([]byte, 0, size)
		b = append(append(b, empty[:at]...), '[')
		for i := from; i < to; i++ {
			if i > from {
				b = append(b, ',')
			}
			b = append(b, stats[i]...)
		}
		b = append(append(b, ']'), empty[at+len("null"):]...)
		out = append(out, b)
		from = to
	}
	return out, nil
}

// statsNull is how an Interval without stats encodes them.
const statsNull = `"stats":null`

package natsfleet

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/soaklab/soak/engine"
)

// ErrNoRun is wrapped by Replay's error for a run the stream does not
// hold: a wrong job or run id, or past the stream's retention.
var ErrNoRun = errors.New("natsfleet: no such run in the stream")

// Replayed is a run read back from its stream.
type Replayed struct {
	Run string
	// Info is the whole plan's RunInfo, as the coordinator started the
	// run with it; Parts says which segments stopped counting, when and
	// why.
	Info engine.RunInfo
	// Stopped and Canceled: the coordinator asked the workers for a
	// graceful stop, or aborted the run.
	Stopped, Canceled bool
	// Ended: the coordinator's last event is there; it merged the whole
	// run before it exited. Without it the coordinator died (or is still
	// running).
	Ended bool
	// Intervals is how many merged intervals Replay handed on.
	Intervals int
	// Late counts intervals of workers given up, left out as the
	// coordinator left them out.
	Late int
	// Unreadable counts messages soak could not decode, left out.
	Unreadable int
	// Spec is the run's spec, nil when the bucket no longer holds it.
	Spec []byte
}

// Replay reads run's messages back from job's stream, up to the last
// one stored when it is called, and merges them as the coordinator did:
// the same messages in the same order, its decisions included, give the
// same merged intervals, which it hands to onInterval in order. A worker
// with no last word in the stream by then is lost from its last
// interval: it died, or it is still running (a coordinator killed
// mid-run leaves its workers running to the plan's end: replay once they
// are done to have all they measured).
func Replay(ctx context.Context, conn *nats.Conn, job, run string, onInterval func(*engine.Interval)) (*Replayed, error) {
	if job == "" {
		job = DefaultJob
	}
	if err := checkName("job", job); err != nil {
		return nil, err
	}
	if err := checkName("run", run); err != nil {
		return nil, err
	}
	n := names{job: job, run: run}
	js, err := jetstream.New(conn)
	if err != nil {
		return nil, fmt.Errorf("natsfleet: %w", err)
	}
	st, err := js.Stream(ctx, n.stream())
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, fmt.Errorf("%w: job %s has no stream %s", ErrNoRun, job, n.stream())
	}
	if err != nil {
		return nil, fmt.Errorf("natsfleet: stream %s: %w", n.stream(), err)
	}
	si, err := st.Info(ctx, jetstream.WithSubjectFilter(n.everything()))
	if err != nil {
		return nil, fmt.Errorf("natsfleet: stream %s: %w", n.stream(), err)
	}
	var total uint64
	for _, c := range si.State.Subjects {
		total += c
	}
	if total == 0 {
		return nil, fmt.Errorf("%w: stream %s holds nothing of run %s (a wrong run id, or older than the stream keeps)", ErrNoRun, n.stream(), run)
	}
	out := &Replayed{Run: run}
	m := newMerger(func(iv *engine.Interval) {
		out.Intervals++
		onInterval(iv)
	})
	rd, err := read(ctx, st, n.everything(), false)
	if err != nil {
		return nil, err
	}
	defer rd.Stop()
	// Up to the stream's last message now: workers may still publish.
	last := si.State.LastSeq
	for done := false; !done; {
		var msg jetstream.Msg
		select {
		case msg = <-rd.C:
		case <-ctx.Done():
			return nil, fmt.Errorf("natsfleet: replaying run %s: %w", run, ctx.Err())
		case <-time.After(30 * time.Second):
			return nil, fmt.Errorf("natsfleet: replaying run %s: no message for 30s", run)
		}
		if msg == nil {
			return nil, fmt.Errorf("natsfleet: replaying run %s: the reader ended", run)
		}
		meta, err := msg.Metadata()
		if err != nil {
			return nil, fmt.Errorf("natsfleet: replaying run %s: %w", run, err)
		}
		done = meta.NumPending == 0 || meta.Sequence.Stream >= last
		if err := m.apply(strings.TrimPrefix(msg.Subject(), n.runs()+"."), msg.Data(), msg.Headers().Get, meta.Timestamp); err != nil {
			out.Unreadable++
		}
	}
	if !m.started() {
		return nil, fmt.Errorf("%w: stream %s has messages of run %s but not its start", ErrNoRun, n.stream(), run)
	}
	m.finish(time.Now(), "no last word from its worker in the stream: it died, or was still running when the run was replayed")
	out.Info = *m.info
	out.Info.Parts = m.parts()
	out.Stopped, out.Canceled, out.Ended, out.Late = m.stop, m.abort, m.ended, m.late()
	if obs, err := js.ObjectStore(ctx, n.bucket()); err == nil {
		if spec, err := obs.GetBytes(ctx, run); err == nil {
			out.Spec = spec
		}
	}
	return out, nil
}

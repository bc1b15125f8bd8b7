package natsfleet

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/soaklab/soak/internal/clock"
)

// DefaultRetention is how long a job's stream keeps a run's messages,
// and its bucket the run's spec, when Config.Retention is zero: long
// enough to rebuild a run's results the next day.
const DefaultRetention = 24 * time.Hour

// dedupWindow is the stream's duplicate window: a message published
// again with the same id (a retry after a lost acknowledgement) within
// it is stored once.
const dedupWindow = 2 * time.Minute

// ensureStream creates or updates the job's stream and spec bucket.
func ensureStream(ctx context.Context, js jetstream.JetStream, n names, retention time.Duration) (jetstream.ObjectStore, error) {
	_, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        n.stream(),
		Description: "soak distributed runs of job " + n.job + ": announcements, events, intervals",
		Subjects:    n.stored(),
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxAge:      retention,
		Duplicates:  dedupWindow,
	})
	if err != nil {
		return nil, fmt.Errorf("natsfleet: stream %s: %w", n.stream(), err)
	}
	obs, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket:      n.bucket(),
		Description: "soak distributed runs of job " + n.job + ": the plans",
		TTL:         retention,
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("natsfleet: object store %s: %w", n.bucket(), err)
	}
	return obs, nil
}

// waitStream returns the job's stream once it exists, asking every
// poll until ctx is done.
func waitStream(ctx context.Context, js jetstream.JetStream, n names, poll time.Duration) (jetstream.Stream, error) {
	for {
		s, err := js.Stream(ctx, n.stream())
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, jetstream.ErrStreamNotFound) {
			return nil, fmt.Errorf("natsfleet: stream %s: %w", n.stream(), err)
		}
		if !clock.SleepUntil(ctx, time.Now().Add(poll)) {
			return nil, fmt.Errorf("natsfleet: waiting for stream %s (no coordinator yet): %w", n.stream(), ctx.Err())
		}
	}
}

// reader delivers the messages of an ordered consumer, in stream order,
// on C, until Stop.
type reader struct {
	C    <-chan jetstream.Msg
	it   jetstream.MessagesContext
	done chan struct{}
}

// read starts an ordered consumer of stream on subject filter, from the
// first message (or the last one, with lastOnly).
func read(ctx context.Context, s jetstream.Stream, filter string, lastOnly bool) (*reader, error) {
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}, InactiveThreshold: 30 * time.Second}
	if lastOnly {
		cfg.DeliverPolicy = jetstream.DeliverLastPerSubjectPolicy
	}
	cons, err := s.OrderedConsumer(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("natsfleet: reading %s: %w", filter, err)
	}
	it, err := cons.Messages()
	if err != nil {
		return nil, fmt.Errorf("natsfleet: reading %s: %w", filter, err)
	}
	c := make(chan jetstream.Msg)
	r := &reader{C: c, it: it, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		defer close(c)
		for {
			m, err := it.Next()
			if err != nil {
				return // stopped
			}
			select {
			case c <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	return r, nil
}

// Stop ends the consumer and waits for its goroutine. C is closed.
func (r *reader) Stop() {
	r.it.Stop()
	for range r.C { // let a pending send go
	}
	<-r.done
}

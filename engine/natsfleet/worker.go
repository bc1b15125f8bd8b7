package natsfleet

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/internal/clock"
)

// DefaultMaxSpec bounds the spec a worker reads when WorkerConfig.MaxSpec
// is zero.
const DefaultMaxSpec = 128 << 20

// ErrRefused is wrapped by the error of a worker the coordinator would
// not take: every segment taken, the part asked for taken or absent.
var ErrRefused = errors.New("natsfleet: the coordinator refused the worker")

// WorkerConfig configures [Work]. Conn and Build are required; the zero
// value of the others is documented.
type WorkerConfig struct {
	// Conn is the NATS connection; Work does not close it.
	Conn *nats.Conn
	// Job is the coordinator's Config.Job. Empty means DefaultJob.
	Job string
	// Part asks for one part of the split, counted from 1 as
	// engine.Segment.Index counts (a Kubernetes Indexed Job's completion
	// index plus one). Zero takes any free part.
	Part int
	// Name names the worker for people (the coordinator's live view, the
	// report). Empty means host/pid.
	Name string
	// Build builds the plan from the run's spec, as the coordinator's
	// side wrote it. It runs once the worker has its segment; an error
	// gives the segment back and ends Work. The plan's RunID, Segment,
	// Stop and OnInterval are Work's to set.
	Build func(ctx context.Context, spec []byte) (engine.Plan, error)
	// MaxSpec bounds the spec read from the bucket, in bytes. Zero means
	// DefaultMaxSpec.
	MaxSpec int64
	// Wait bounds the wait for a run to join (the stream, an
	// announcement, a coordinator that takes the worker). Zero means
	// until ctx is done. The run itself is bounded by its plan.
	Wait time.Duration
	// Stop, when closed, ends the worker's load gracefully (its own
	// Ctrl-C or SIGTERM). Its segment then counts as lost from that point
	// unless the coordinator asked for the stop.
	Stop <-chan struct{}
	// OnEvent, when set, receives a sentence for people at every step:
	// waiting, joined, started, given up. It must not block.
	OnEvent func(string)
	// OnStart and OnInterval, when set, see the engine's run as
	// engine.Plan's callbacks do (a worker's own log).
	OnStart    func(engine.RunInfo)
	OnInterval func(*engine.Interval)
}

// Worked is what a worker ran.
type Worked struct {
	Run     string
	Segment engine.Segment
	Result  *engine.Result // nil when the load never started
}

// Work waits for a coordinator of cfg.Job to announce a run (the latest
// announcement, or the next one), joins it, builds the plan from the
// run's spec, waits for the common start, runs its segment, and
// publishes every interval to the stream as the engine records it, then
// its last word. It obeys the coordinator's events: a graceful stop, an
// abort, being given up (it stops at once: its load would count
// nowhere). If it cannot publish an interval for the coordinator's
// LostAfter it stops its load too. It returns what ran; an error when it
// could not join, build, or publish.
func Work(ctx context.Context, cfg WorkerConfig) (*Worked, error) {
	if cfg.Job == "" {
		cfg.Job = DefaultJob
	}
	switch {
	case cfg.Conn == nil || cfg.Build == nil:
		return nil, fmt.Errorf("%w: Conn and Build are required", ErrConfig)
	case cfg.Part < 0:
		return nil, fmt.Errorf("%w: Part: negative", ErrConfig)
	}
	if err := checkName("Job", cfg.Job); err != nil {
		return nil, err
	}
	if cfg.Name == "" {
		cfg.Name = hostPID()
	}
	if cfg.MaxSpec == 0 {
		cfg.MaxSpec = DefaultMaxSpec
	}
	js, err := jetstream.New(cfg.Conn)
	if err != nil {
		return nil, fmt.Errorf("natsfleet: %w", err)
	}
	w := &worker{cfg: cfg, js: js, id: nuid.Next(), n: names{job: cfg.Job}}
	w.note("waiting for a run of job %s", cfg.Job)
	jctx, cancel := ctx, context.CancelFunc(func() {})
	if cfg.Wait > 0 {
		jctx, cancel = context.WithTimeout(ctx, cfg.Wait)
	}
	st, err := waitStream(jctx, js, w.n, 500*time.Millisecond)
	var ann *announcement
	var seg engine.Segment
	if err == nil {
		ann, seg, err = w.join(jctx, st)
	}
	cancel()
	if err != nil {
		return nil, err
	}
	out := &Worked{Run: ann.Run, Segment: seg}
	w.note("joined run %s (coordinator %s): segment %s of %d", ann.Run, ann.Coordinator, seg, len(ann.Parts))
	plan, err := w.build(ctx, ann)
	if err != nil {
		w.leave(fmt.Sprintf("%v", err))
		return out, err
	}
	res, err := w.run(ctx, st, ann, seg, plan)
	out.Result = res
	return out, err
}

// worker is one Work call.
type worker struct {
	cfg WorkerConfig
	js  jetstream.JetStream
	id  string
	n   names

	mu     sync.Mutex
	sent   int   // intervals published
	failed error // the first publish that failed for good
}

func (w *worker) note(format string, args ...any) {
	if w.cfg.OnEvent != nil {
		w.cfg.OnEvent(fmt.Sprintf(format, args...))
	}
}

// join reads the announcements (the latest, then the next) until a
// coordinator takes the worker, and returns the run and the segment.
func (w *worker) join(ctx context.Context, st jetstream.Stream) (*announcement, engine.Segment, error) {
	rd, err := read(ctx, st, w.n.plan(), true)
	if err != nil {
		return nil, engine.Segment{}, err
	}
	defer rd.Stop()
	for {
		var msg jetstream.Msg
		select {
		case msg = <-rd.C:
		case <-ctx.Done():
			return nil, engine.Segment{}, fmt.Errorf("natsfleet: waiting for a run of job %s: %w", w.cfg.Job, ctx.Err())
		case <-w.cfg.Stop:
			return nil, engine.Segment{}, fmt.Errorf("natsfleet: stopped while waiting for a run of job %s", w.cfg.Job)
		}
		if msg == nil {
			return nil, engine.Segment{}, fmt.Errorf("natsfleet: reading the announcements of job %s ended", w.cfg.Job)
		}
		var ann announcement
		if err := decodeJSON(msg.Data(), &ann, "announcement"); err != nil || checkName("run", ann.Run) != nil {
			w.note("left out an announcement soak cannot read")
			continue
		}
		w.n.run = ann.Run
		reply, err := w.ask(ctx, joinRequest{Worker: w.id, Name: w.cfg.Name, Index: w.cfg.Part - 1, Cores: cores()})
		switch {
		case errors.Is(err, nats.ErrNoResponders) || errors.Is(err, nats.ErrTimeout) || errors.Is(err, context.DeadlineExceeded):
			w.note("run %s has no coordinator any more; waiting for the next run", ann.Run)
			continue
		case err != nil:
			return nil, engine.Segment{}, err
		case reply.Refused == refusedStarted:
			w.note("run %s is under way (%s); waiting for the next run", ann.Run, reply.Refused)
			continue
		case reply.Refused != "":
			return nil, engine.Segment{}, fmt.Errorf("%w: run %s: %s", ErrRefused, ann.Run, reply.Refused)
		}
		if reply.Index < 0 || reply.Index >= len(ann.Parts) || ann.Parts[reply.Index] != reply.Segment {
			return nil, engine.Segment{}, fmt.Errorf("%w: the coordinator gave segment %q, not one of %v", ErrMessage, reply.Segment, ann.Parts)
		}
		seg, err := engine.ParseSegment(reply.Segment)
		if err != nil {
			return nil, engine.Segment{}, fmt.Errorf("%w: %v", ErrMessage, err)
		}
		return &ann, seg, nil
	}
}

// refusedStarted is the join refusal of a run under way.
const refusedStarted = "the run has started: a worker cannot join a run under way"

// ask sends a join request and reads the reply, within 5 s.
func (w *worker) ask(ctx context.Context, req joinRequest) (*joinReply, error) {
	b, _ := json.Marshal(req)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	m, err := w.cfg.Conn.RequestWithContext(ctx, w.n.join(), b)
	if err != nil {
		return nil, err
	}
	var reply joinReply
	if err := decodeJSON(m.Data, &reply, "join reply"); err != nil {
		return nil, err
	}
	return &reply, nil
}

// leave gives the segment back before the start.
func (w *worker) leave(why string) {
	_, _ = w.ask(context.Background(), joinRequest{Worker: w.id, Name: w.cfg.Name, Index: leaveIndex, Why: why})
}

// build reads the run's spec, checks it against the announcement, and
// builds the plan.
func (w *worker) build(ctx context.Context, ann *announcement) (engine.Plan, error) {
	if ann.SpecSize > w.cfg.MaxSpec {
		return engine.Plan{}, fmt.Errorf("natsfleet: run %s: its spec has %d bytes, more than this worker reads (%d)", ann.Run, ann.SpecSize, w.cfg.MaxSpec)
	}
	obs, err := w.js.ObjectStore(ctx, w.n.bucket())
	if err != nil {
		return engine.Plan{}, fmt.Errorf("natsfleet: object store %s: %w", w.n.bucket(), err)
	}
	info, err := obs.GetInfo(ctx, ann.Run)
	if err != nil {
		return engine.Plan{}, fmt.Errorf("natsfleet: run %s: its spec: %w", ann.Run, err)
	}
	if int64(info.Size) != ann.SpecSize {
		return engine.Plan{}, fmt.Errorf("natsfleet: run %s: its spec has %d bytes, the announcement says %d", ann.Run, info.Size, ann.SpecSize)
	}
	spec, err := obs.GetBytes(ctx, ann.Run)
	if err != nil {
		return engine.Plan{}, fmt.Errorf("natsfleet: run %s: reading its spec: %w", ann.Run, err)
	}
	if sum := sha256.Sum256(spec); hex.EncodeToString(sum[:]) != ann.SpecSHA256 {
		return engine.Plan{}, fmt.Errorf("natsfleet: run %s: its spec does not match the announcement's digest", ann.Run)
	}
	p, err := w.cfg.Build(ctx, spec)
	if err != nil {
		return engine.Plan{}, fmt.Errorf("natsfleet: run %s: building the plan: %w", ann.Run, err)
	}
	return p, nil
}

// run waits for the common start and runs the segment.
func (w *worker) run(ctx context.Context, st jetstream.Stream, ann *announcement, seg engine.Segment, p engine.Plan) (*engine.Result, error) {
	rd, err := read(context.WithoutCancel(ctx), st, w.n.events(), false)
	if err != nil {
		w.leave(err.Error())
		return nil, err
	}
	defer rd.Stop()
	start, err := w.awaitStart(ctx, rd, seg)
	if err != nil {
		return nil, err
	}
	if late := time.Since(start); late > p.Interval+time.Second {
		err := fmt.Errorf("natsfleet: run %s: the start event came %v after the start; the worker stays out", ann.Run, late.Round(time.Millisecond))
		w.done(ann, &done{Ending: engine.EndCanceled, Error: err.Error()})
		return nil, err
	}
	ectx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := make(chan struct{})
	var once sync.Once
	halt := func() { once.Do(func() { close(stop) }) }
	watched := make(chan struct{})
	go func() { defer close(watched); w.obey(rd, halt, cancel) }()
	go func() {
		select {
		case <-w.cfg.Stop:
			halt()
		case <-ectx.Done():
		case <-stop:
		}
	}()
	if !clock.SleepUntil(ectx, start) {
		cancel()
	}
	p.RunID, p.Segment, p.Stop = ann.Run, seg, stop
	onStart := p.OnStart
	p.OnStart = func(ri engine.RunInfo) {
		w.note("run %s started: segment %s", ann.Run, seg)
		for _, f := range []func(engine.RunInfo){onStart, w.cfg.OnStart} {
			if f != nil {
				f(ri)
			}
		}
	}
	limit := int(w.cfg.Conn.MaxPayload()) - 4<<10
	giveUp := max(ann.LostAfter, 2*time.Second)
	p.OnInterval = func(iv *engine.Interval) {
		if w.cfg.OnInterval != nil {
			w.cfg.OnInterval(iv)
		}
		if err := w.publishInterval(iv, limit, giveUp); err != nil {
			w.note("%v: stopping this worker's load, which would count nowhere", err)
			cancel()
		}
	}
	res, rerr := engine.Run(ectx, p)
	cancel()
	rd.it.Stop() // ends obey
	<-watched
	w.mu.Lock()
	d := &done{Sent: w.sent}
	failed := w.failed
	w.mu.Unlock()
	if res != nil {
		d.Ending = res.Ending()
	}
	switch {
	case rerr != nil:
		d.Error = rerr.Error()
	case failed != nil:
		d.Error = failed.Error()
	}
	w.done(ann, d)
	if rerr == nil {
		rerr = failed
	}
	return res, rerr
}

// alivePoll is how often a worker waiting for the start asks whether
// its coordinator is still there.
const alivePoll = 5 * time.Second

// awaitStart reads the coordinator's events until the start, and
// returns when it is. Meanwhile it asks the coordinator every alivePoll
// (its join again, which a coordinator answers alike): a coordinator
// that died before the start has no responders, and the worker stops
// waiting.
func (w *worker) awaitStart(ctx context.Context, rd *reader, seg engine.Segment) (time.Time, error) {
	poll := time.NewTicker(alivePoll)
	defer poll.Stop()
	for {
		var msg jetstream.Msg
		select {
		case <-poll.C:
			_, err := w.ask(ctx, joinRequest{Worker: w.id, Name: w.cfg.Name, Index: w.cfg.Part - 1, Cores: cores()})
			if errors.Is(err, nats.ErrNoResponders) {
				return time.Time{}, errors.New("natsfleet: the coordinator is gone, before the start")
			}
			continue
		case msg = <-rd.C:
		case <-ctx.Done():
			w.leave("its worker was cancelled before the start")
			return time.Time{}, fmt.Errorf("natsfleet: waiting for the start: %w", ctx.Err())
		case <-w.cfg.Stop:
			w.leave("its worker was stopped before the start")
			return time.Time{}, errors.New("natsfleet: stopped before the start")
		}
		if msg == nil {
			return time.Time{}, errors.New("natsfleet: reading the coordinator's events ended")
		}
		var ev event
		if decodeJSON(msg.Data(), &ev, "event") != nil {
			continue
		}
		switch ev.Kind {
		case evStart:
			for _, p := range ev.Parts {
				if p.Worker == w.id {
					if p.Segment != seg.String() {
						return time.Time{}, fmt.Errorf("%w: the start gives segment %s, the join gave %s", ErrMessage, p.Segment, seg)
					}
					return ev.At, nil
				}
			}
			return time.Time{}, fmt.Errorf("%w: the run started without this worker", ErrRefused)
		case evAbort, evEnd:
			return time.Time{}, fmt.Errorf("natsfleet: the run ended before its start: %s", cmp.Or(ev.Why, ev.Kind))
		}
	}
}

// obey follows the coordinator's events while the load runs: a stop
// halts it gracefully; an abort, or being given up, cancels it.
func (w *worker) obey(rd *reader, halt, cancel func()) {
	for msg := range rd.C {
		var ev event
		if decodeJSON(msg.Data(), &ev, "event") != nil {
			continue
		}
		switch {
		case ev.Kind == evStop:
			w.note("the coordinator asked for a graceful stop")
			halt()
		case ev.Kind == evAbort:
			w.note("the coordinator aborted the run")
			cancel()
		case ev.Kind == evLost && ev.Worker == w.id:
			w.note("the coordinator gave this worker up (%s): stopping its load, which would count nowhere", ev.Why)
			cancel()
		}
	}
}

// publishInterval publishes iv, in parts if it is large, each retried
// until the stream has it or giveUp passes. After a failure it
// publishes nothing more.
func (w *worker) publishInterval(iv *engine.Interval, limit int, giveUp time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.failed != nil {
		return nil
	}
	parts, err := splitInterval(iv, limit)
	if err == nil {
		for i, b := range parts {
			m := nats.NewMsg(w.n.worker(w.id, kindInterval))
			m.Data = b
			if len(parts) > 1 {
				m.Header.Set(hdrPart, strconv.Itoa(i))
				m.Header.Set(hdrParts, strconv.Itoa(len(parts)))
			}
			if err = w.publish(m, fmt.Sprintf("%s.%d.%d", w.id, iv.Seq, i), giveUp); err != nil {
				break
			}
		}
	}
	if err != nil {
		w.failed = fmt.Errorf("natsfleet: publishing interval %d: %w", iv.Seq, err)
		return w.failed
	}
	w.sent++
	return nil
}

// publish stores m in the stream under a message id, so that a retry
// after a lost acknowledgement is stored once, retrying until giveUp.
func (w *worker) publish(m *nats.Msg, id string, giveUp time.Duration) error {
	deadline := time.Now().Add(giveUp)
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		ctx, cancel := context.WithTimeout(context.Background(), min(2*time.Second, giveUp))
		_, err := w.js.PublishMsg(ctx, m, jetstream.WithMsgID(id))
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().Add(wait).After(deadline) {
			return err
		}
		time.Sleep(wait)
	}
}

// done publishes the worker's last word.
func (w *worker) done(ann *announcement, d *done) {
	b, _ := json.Marshal(d)
	m := nats.NewMsg(w.n.worker(w.id, kindDone))
	m.Data = b
	if err := w.publish(m, w.id+".done", max(ann.LostAfter, 2*time.Second)); err != nil {
		w.note("could not publish this worker's last word: %v", err)
	}
}

package natsfleet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/soaklab/soak/engine"
)

// ErrConfig wraps the error of a bad Config or WorkerConfig.
var ErrConfig = errors.New("natsfleet: bad config")

// Defaults of Config.
const (
	// DefaultLostAfter is how long past an interval's planned end the
	// coordinator waits for a worker's interval before it gives the
	// worker up.
	DefaultLostAfter = 5 * time.Second
	// startLead is how far ahead of the start event the common start
	// lies, so that every worker reads the event before it.
	startLead = time.Second
	// abortGrace bounds the wait for the workers' last words after an
	// abort (the coordinator's context was cancelled).
	abortGrace = 5 * time.Second
)

// Config configures a [Coordinator]. Conn, Run, Parts and Spec are
// required; the zero value of the others is documented.
type Config struct {
	// Conn is the NATS connection, to a server with JetStream. The
	// coordinator does not close it.
	Conn *nats.Conn
	// Job names the stream, the bucket and the subjects workers find the
	// run under (`soak worker --job`): 1-64 letters, digits, - or _.
	// Empty means DefaultJob.
	Job string
	// Run is the run's id, the plan's RunID: 1-64 letters, digits, - or _.
	Run string
	// Parts is the split of the plan, one segment per worker: the
	// segments of one split, in order (engine.EqualParts, engine.Split).
	Parts []engine.Segment
	// Spec is what the workers build the plan from, opaque here (soak's
	// CLI puts the command's plan flags and the scenario's Bundle in
	// it). It is stored in the job's object store bucket, so it may be
	// larger than a NATS message.
	Spec []byte
	// Name names the coordinator in the announcement, for people.
	// Empty means host/pid.
	Name string
	// LostAfter is how long past an interval's planned end the
	// coordinator waits for a worker's interval before giving the worker
	// up: its segment is then lost from that interval on. Zero means
	// DefaultLostAfter; it is at least twice the plan's interval.
	LostAfter time.Duration
	// Retention is how long the stream keeps the run's messages and the
	// bucket its spec: the window in which Replay can rebuild the run.
	// Zero means DefaultRetention.
	Retention time.Duration
	// OnEvent, when set, receives a sentence for people whenever
	// something happens to the fleet: a worker joined, left, was lost.
	// It is called from the coordinator's goroutines, one at a time,
	// and must not block.
	OnEvent func(string)
}

// Coordinator runs one plan on a fleet of workers ([Work]) and merges
// what they measure, exactly. [New] stores the plan's spec, announces
// the run and starts taking the workers' joins; [Coordinator.Wait] waits
// for them; [Coordinator.Run], which runner.Config.Load takes, releases
// a common start and returns the merged result. Safe for concurrent use.
type Coordinator struct {
	cfg  Config
	n    names
	js   jetstream.JetStream
	sub  *nats.Subscription
	name string

	mu      sync.Mutex
	parts   []part
	cores   []int
	joined  chan struct{} // signalled (non-blocking) on every join or leave
	started bool
	merger  *merger // under mu once the run started
	evMu    sync.Mutex
}

// New checks cfg, makes the job's stream and bucket if they are not
// there, stores the spec, announces the run on soak.<job>.plan and
// serves the workers' joins until Run starts the load or Close.
func New(ctx context.Context, cfg Config) (*Coordinator, error) {
	if cfg.Job == "" {
		cfg.Job = DefaultJob
	}
	switch {
	case cfg.Conn == nil:
		return nil, fmt.Errorf("%w: Conn: nil", ErrConfig)
	case len(cfg.Parts) == 0 || cfg.Parts[0].Parts() != len(cfg.Parts):
		return nil, fmt.Errorf("%w: Parts: the segments of one split, in order", ErrConfig)
	case cfg.Spec == nil:
		return nil, fmt.Errorf("%w: Spec: nil", ErrConfig)
	case cfg.LostAfter < 0 || cfg.Retention < 0:
		return nil, fmt.Errorf("%w: LostAfter or Retention: negative", ErrConfig)
	}
	for i, s := range cfg.Parts {
		if s.Index() != i+1 || s.String() != cfg.Parts[0].All()[i].String() {
			return nil, fmt.Errorf("%w: Parts[%d]: %s is not part %d of the split", ErrConfig, i, s, i+1)
		}
	}
	if err := checkName("Job", cfg.Job); err != nil {
		return nil, err
	}
	if err := checkName("Run", cfg.Run); err != nil {
		return nil, err
	}
	if cfg.LostAfter == 0 {
		cfg.LostAfter = DefaultLostAfter
	}
	if cfg.Retention == 0 {
		cfg.Retention = DefaultRetention
	}
	c := &Coordinator{cfg: cfg, n: names{job: cfg.Job, run: cfg.Run}, name: cfg.Name, joined: make(chan struct{}, 1)}
	if c.name == "" {
		c.name = hostPID()
	}
	for _, s := range cfg.Parts {
		c.parts = append(c.parts, part{Segment: s.String()})
	}
	c.cores = make([]int, len(cfg.Parts))
	js, err := jetstream.New(cfg.Conn)
	if err != nil {
		return nil, fmt.Errorf("natsfleet: %w", err)
	}
	c.js = js
	obs, err := ensureStream(ctx, js, c.n, cfg.Retention)
	if err != nil {
		return nil, err
	}
	if _, err := obs.PutBytes(ctx, cfg.Run, cfg.Spec); err != nil {
		return nil, fmt.Errorf("natsfleet: storing the spec: %w", err)
	}
	sum := sha256.Sum256(cfg.Spec)
	ann := announcement{Run: cfg.Run, Coordinator: c.name, Created: time.Now(), Parts: make([]string, len(c.parts)),
		SpecSize: int64(len(cfg.Spec)), SpecSHA256: hex.EncodeToString(sum[:]), LostAfter: cfg.LostAfter}
	for i, p := range c.parts {
		ann.Parts[i] = p.Segment
	}
	// Serve joins before announcing: a worker reads the announcement and
	// asks at once.
	if c.sub, err = cfg.Conn.Subscribe(c.n.join(), c.serveJoin); err != nil {
		return nil, fmt.Errorf("natsfleet: %w", err)
	}
	b, _ := json.Marshal(ann)
	if _, err := js.Publish(ctx, c.n.plan(), b); err != nil {
		_ = c.sub.Unsubscribe()
		return nil, fmt.Errorf("natsfleet: announcing the run: %w", err)
	}
	return c, nil
}

// hostPID names this process for people: "host/pid".
func hostPID() string {
	h, err := os.Hostname()
	if err != nil {
		h = "?"
	}
	return h + "/" + strconv.Itoa(os.Getpid())
}

// note hands a sentence to OnEvent.
func (c *Coordinator) note(format string, args ...any) {
	if c.cfg.OnEvent != nil {
		c.evMu.Lock()
		defer c.evMu.Unlock()
		c.cfg.OnEvent(fmt.Sprintf(format, args...))
	}
}

// serveJoin answers a worker asking for a segment (or leaving one).
func (c *Coordinator) serveJoin(m *nats.Msg) {
	var req joinRequest
	reply := joinReply{Index: -1}
	if err := json.Unmarshal(m.Data, &req); err != nil || checkName("worker", req.Worker) != nil {
		reply.Refused = "a join request soak cannot read"
	} else if req.Index == leaveIndex {
		c.leave(&req)
		reply.Refused = "left"
	} else {
		reply = c.join(&req)
	}
	b, _ := json.Marshal(reply)
	_ = m.Respond(b)
}

// leaveIndex in a join request gives the worker's segment back.
const leaveIndex = -2

func (c *Coordinator) join(req *joinRequest) joinReply {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started {
		return joinReply{Index: -1, Refused: refusedStarted}
	}
	want := req.Index
	for i, p := range c.parts {
		if p.Worker == req.Worker {
			return joinReply{Index: i, Segment: p.Segment} // asked again
		}
		if want < 0 && p.Worker == "" {
			want = i
		}
	}
	switch {
	case want < 0:
		return joinReply{Index: -1, Refused: fmt.Sprintf("every one of the %d segments is taken", len(c.parts))}
	case want >= len(c.parts):
		return joinReply{Index: -1, Refused: fmt.Sprintf("there is no part %d: the run has %d", want+1, len(c.parts))}
	case c.parts[want].Worker != "":
		return joinReply{Index: -1, Refused: fmt.Sprintf("segment %s is taken by %s", c.parts[want].Segment, c.parts[want].Name)}
	}
	c.parts[want].Worker, c.parts[want].Name = req.Worker, req.Name
	c.cores[want] = max(req.Cores, 0)
	n := 0
	for _, p := range c.parts {
		if p.Worker != "" {
			n++
		}
	}
	c.note("worker %s joined: segment %s (%d of %d)", req.Name, c.parts[want].Segment, n, len(c.parts))
	c.signal()
	return joinReply{Index: want, Segment: c.parts[want].Segment}
}

func (c *Coordinator) leave(req *joinRequest) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, p := range c.parts {
		if p.Worker == req.Worker && !c.started {
			c.parts[i].Worker, c.parts[i].Name, c.cores[i] = "", "", 0
			c.note("worker %s left segment %s before the start: %s", req.Name, p.Segment, req.Why)
			c.signal()
		}
	}
}

func (c *Coordinator) signal() {
	select {
	case c.joined <- struct{}{}:
	default:
	}
}

// Joined returns how many segments have a worker, and how many there are.
func (c *Coordinator) Joined() (joined, parts int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.parts {
		if p.Worker != "" {
			joined++
		}
	}
	return joined, len(c.parts)
}

// Wait waits until every segment has a worker, ctx is done, or timeout
// passes, and returns how many joined. Run may start with fewer: the
// segments nobody took are lost from the start, and the result says so.
func (c *Coordinator) Wait(ctx context.Context, timeout time.Duration) int {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		n, all := c.Joined()
		if n == all {
			return n
		}
		select {
		case <-c.joined:
		case <-t.C:
			return n
		case <-ctx.Done():
			return n
		}
	}
}

// Health describes every part of the run and its worker, for a live
// view: empty before Run starts the load.
func (c *Coordinator) Health() []Health {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.merger == nil {
		out := make([]Health, len(c.parts))
		for i, p := range c.parts {
			out[i] = Health{Segment: p.Segment, Worker: p.Name, State: "waiting"}
		}
		return out
	}
	return c.merger.health()
}

// Close stops taking joins; if Run never started the load, it tells the
// workers that joined (an end event), so that they stop waiting. The
// stream and the bucket stay: they hold the run for Replay. It does not
// close the connection.
func (c *Coordinator) Close() error {
	c.mu.Lock()
	started := c.started
	c.started = true // no join from now on
	c.mu.Unlock()
	err := c.sub.Unsubscribe()
	if !started {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = errors.Join(err, c.event(ctx, &event{Kind: evEnd, Why: "the coordinator ended before the start"}))
	}
	return err
}

// cores is what the engine of this process may use, as engine.RunInfo
// counts them; a worker sends its own with its join.
func cores() int { return min(runtime.GOMAXPROCS(0), runtime.NumCPU()) }

package engine

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/ratelimit"

	"github.com/soaklab/soak/internal/clock"
	"github.com/soaklab/soak/internal/runid"
)

// Run applies the plan's load until its duration ends, Plan.Stop is
// closed or ctx is cancelled, and returns what it measured.
//
// Closing Plan.Stop ends the load gracefully: no new user, task or
// arrival, the tasks in flight finish within StopTimeout, and Run returns
// the complete results with Result.Stopped set. Cancelling ctx stops new
// work at once (no user starts a task, no arrival is dispatched), aborts
// requests in flight (they count in Stat.Aborted only), and Run returns
// the complete results for the time that ran, with Result.Canceled set and
// a nil error. Run returns an error only when the
// plan is invalid (ErrPlan), names a remote host without AllowRemote
// (ErrRemoteHost), or its Handler cannot be served.
//
// Run is safe to call concurrently with other Runs; the Plan is not
// modified.
func Run(ctx context.Context, p Plan) (*Result, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	r := &runner{plan: p}
	stopServer, err := r.serveHandler()
	if err != nil {
		return nil, err
	}
	defer stopServer()
	r.init(ctx)
	return r.run(ctx), nil
}

// runner is the state of one run.
type runner struct {
	plan    Plan
	set     settings
	info    RunInfo
	base    *url.URL
	client  client
	rec     *recorder
	limiter ratelimit.Limiter
	seed    uint64
	classes []*classState
	userSeq atomic.Int64 // open model: workers made so far

	runCtx   context.Context // cancelled to abort requests in flight
	abort    context.CancelFunc
	stopCtx  context.Context // cancelled when users must not start another task
	stopLoad context.CancelFunc
	stopped  atomic.Bool // Plan.Stop ended the load before its planned end

	users   atomic.Int64 // running users (closed) or workers (open)
	started atomic.Int64 // users or workers started since the last interval
	workers atomic.Int64 // open model: workers started and not yet ended
	peak    atomic.Int64 // most users since the last interval
	sched   schedCounters
	wg      sync.WaitGroup // closed-model users until they end, open-model workers
	live    []*User        // closed model: this engine's users not told to stop, in spawn order; run's goroutine only
	series  Series
	lastCPU time.Duration

	changeMu       sync.Mutex
	pendingChanges []Change // applied through Plan.Control since the last interval
}

type settings struct {
	timeout, dialTimeout time.Duration
	maxBody              int
	keepAlive            bool
	interval             time.Duration
	maxErrors, maxNames  int
	lateAfter            time.Duration
}

func (r *runner) serveHandler() (stop func(), err error) {
	if r.plan.Handler == nil {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("engine: serving Plan.Handler: %w", err)
	}
	// The connections are counted from their first state to closed so
	// that Run does not return while a handler still runs (a test's
	// goroutine-leak check would see it): a connection's goroutine sets
	// it closed after its handler returned. ConnState rather than a
	// wrapping handler, so that the handlers' stacks (in the heap and
	// goroutine profiles the analysis reads) hold no engine frame.
	var open atomic.Int64
	srv := &http.Server{Handler: r.plan.Handler, ReadHeaderTimeout: time.Minute,
		ConnState: func(_ net.Conn, st http.ConnState) {
			switch st {
			case http.StateNew:
				open.Add(1)
			case http.StateHijacked, http.StateClosed:
				open.Add(-1)
			}
		}}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	r.plan.Host = "http://" + ln.Addr().String()
	return func() {
		_ = srv.Close() // closes the connections: the requests' contexts end
		<-done
		waitHandlers(&open, r.set.timeout)
	}, nil
}

// waitHandlers waits until no connection is open, at most limit (the
// request timeout: no request is waited on longer than it could take).
func waitHandlers(open *atomic.Int64, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for open.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
}

func (r *runner) init(ctx context.Context) {
	p := &r.plan
	r.set = settings{
		timeout:     cmp.Or(p.Transport.Timeout, 30*time.Second),
		dialTimeout: cmp.Or(p.Transport.DialTimeout, 10*time.Second),
		maxBody:     cmp.Or(p.Transport.MaxBodyBytes, 8<<20),
		keepAlive:   !p.Transport.DisableKeepAlives,
		interval:    cmp.Or(p.Interval, time.Second),
		maxErrors:   cmp.Or(p.MaxErrors, DefaultMaxErrors),
		maxNames:    cmp.Or(p.MaxNames, DefaultMaxNames),
		lateAfter:   cmp.Or(p.LateAfter, 10*time.Millisecond),
	}
	r.base, _ = url.Parse(p.Host) // validated
	r.client = newClient(r.base, p.Transport, r.set)
	r.rec = newRecorder(shardCount(), r.set.maxErrors, r.set.maxNames)
	r.series = Series{Max: p.MaxIntervals, MaxErrors: r.set.maxErrors}
	r.info = RunInfo{
		RunID:     cmp.Or(p.RunID, runid.New(time.Now())),
		Host:      (&url.URL{Scheme: r.base.Scheme, Host: r.base.Host, Path: r.base.Path}).String(),
		Start:     time.Now(),
		Interval:  r.set.interval,
		Duration:  p.loadDuration(),
		MaxRPS:    p.MaxRPS,
		Cores:     min(runtime.GOMAXPROCS(0), runtime.NumCPU()),
		Transport: r.client.name(),
		LateAfter: int64(r.set.lateAfter / time.Microsecond),
		MaxNames:  r.set.maxNames,
	}
	if bound, ok := p.MaxThroughput(); ok {
		r.info.MaxThroughput = bound
	}
	h := fnv.New64a()
	h.Write([]byte(r.info.RunID))
	r.seed = h.Sum64()
	switch l := p.Load.(type) {
	case Closed:
		r.info.Model, r.info.Users, r.info.SpawnRate = "closed", l.Users, l.SpawnRate
		var at time.Duration
		for _, s := range l.Stages {
			r.info.Users = max(r.info.Users, s.Users)
			r.info.Stages = append(r.info.Stages, PlannedStage{At: at, Users: s.Users})
			at += s.Duration
		}
	case Open:
		r.info.Model, r.info.Rate = "open", l.Rate
		var at time.Duration
		for _, s := range l.Stages {
			r.info.Rate = max(r.info.Rate, s.Rate)
			r.info.Stages = append(r.info.Stages, PlannedStage{At: at, Rate: s.Rate})
			at += s.Duration
		}
	}
	r.describeSegment()
	for i := range p.Classes {
		c := &p.Classes[i]
		r.classes = append(r.classes, newClassState(c, i))
		r.info.Classes = append(r.info.Classes, ClassInfo{Name: c.Name, Weight: c.Weight, Fixed: c.Fixed, Tasks: len(c.Tasks),
			Endpoints: slices.Clone(c.Endpoints)})
	}
	r.runCtx, r.abort = context.WithCancel(ctx)
	r.stopCtx, r.stopLoad = context.WithCancel(r.runCtx)
	if r.info.MaxRPS > 0 {
		r.limiter = ratelimit.New(1, ratelimit.Per(time.Duration(float64(time.Second)/r.info.MaxRPS)),
			ratelimit.WithClock(ctxClock{r.runCtx}))
	}
	r.lastCPU = processCPU()
}

// loadDuration is Duration, or the stages' total when Duration is zero.
func (p *Plan) loadDuration() time.Duration {
	if p.Duration > 0 {
		return p.Duration
	}
	return StagesDuration(p.Load)
}

// StagesDuration returns the sum of the durations of l's stages: 0 when l
// has none (or is nil), which is when a Plan needs a Duration.
func StagesDuration(l Load) time.Duration {
	var d time.Duration
	switch l := l.(type) {
	case Closed:
		for _, s := range l.Stages {
			d += s.Duration
		}
	case Open:
		for _, s := range l.Stages {
			d += s.Duration
		}
	}
	return d
}

func (r *runner) run(ctx context.Context) *Result {
	if r.plan.OnStart != nil {
		r.plan.OnStart(r.info)
	}
	sink := newSink(r.plan.OnInterval)
	collectDone := make(chan struct{})
	collected := make(chan struct{})
	go func() { defer close(collected); r.collectLoop(collectDone, sink) }()

	watched := r.watchStop()
	loadEnd := r.info.Start.Add(r.info.Duration)
	if c := r.plan.Control; c != nil {
		c.attach(r.info.Model)
	}
	switch l := r.plan.Load.(type) {
	case Closed:
		r.runClosed(l, loadEnd)
	case Open:
		r.runOpen(l, loadEnd)
	}
	if c := r.plan.Control; c != nil {
		c.detach()
	}
	stopped := r.stopped.Load() // read as the load ends: a Stop after it changes nothing
	r.finish()
	<-watched
	close(collectDone)
	<-collected
	sink.close()
	res := newResult(r.info, &r.series)
	res.Canceled = ctx.Err() != nil
	res.Stopped = stopped
	return res
}

// watchStop ends the load when Plan.Stop is closed before the load ends
// by itself. The returned channel is closed when the watch is over, which
// is at the latest when finish stops the load.
func (r *runner) watchStop() <-chan struct{} {
	done := make(chan struct{})
	if r.plan.Stop == nil {
		close(done)
		return done
	}
	select {
	case <-r.plan.Stop: // closed before the run: no load at all
		r.stopped.Store(true)
		r.stopLoad()
		close(done)
		return done
	default:
	}
	go func() {
		defer close(done)
		select {
		case <-r.plan.Stop:
			r.stopped.Store(r.stopCtx.Err() == nil)
			r.stopLoad()
		case <-r.stopCtx.Done():
		}
	}()
	return done
}

// finish stops the users: no new task, StopTimeout for the tasks in
// flight, then every request aborted. It is the same after the planned
// end and after Plan.Stop.
func (r *runner) finish() {
	r.stopLoad()
	for _, u := range r.live {
		u.halt() // a pausing user ends now, one in a task after it
	}
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	if t := r.plan.StopTimeout; t > 0 {
		timer := time.NewTimer(t)
		select {
		case <-done:
		case <-timer.C:
		case <-r.runCtx.Done():
		}
		timer.Stop()
	}
	r.abort()
	<-done
	r.client.closeIdle()
}

// ctxClock is a ratelimit.Clock whose Sleep ends early when ctx is done,
// so a paced dispatcher or the MaxRPS cap never delays a cancellation.
type ctxClock struct{ ctx context.Context }

func (c ctxClock) Now() time.Time { return time.Now() }

func (c ctxClock) Sleep(d time.Duration) { clock.Sleep(c.ctx, d) }

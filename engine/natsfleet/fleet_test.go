package natsfleet

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/internal/testenv"
	"github.com/soaklab/soak/probe/label"
)

// counter is a target that counts what it served, by class.
type counter struct {
	mu      sync.Mutex
	served  int64
	byClass map[string]int64
}

func newCounter(t *testing.T) (*counter, string) {
	c := &counter{byClass: map[string]int64{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.served++
		c.byClass[label.Parse(r.Header).Class]++
		c.mu.Unlock()
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return c, srv.URL
}

// job connects to the test NATS server and returns a connection factory
// and a fresh job name whose stream and bucket are deleted after t.
func job(t *testing.T) (func() *nats.Conn, string) {
	url := testenv.NATSURL(t)
	name := testenv.Name(t)
	var conns []*nats.Conn
	connect := func() *nats.Conn {
		nc, err := Connect(url, ConnectOptions{Name: "natsfleet-test"})
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, nc)
		return nc
	}
	admin := connect()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		js, _ := jetstream.New(admin)
		n := names{job: name}
		_ = js.DeleteObjectStore(ctx, n.bucket())
		_ = js.DeleteStream(ctx, n.stream())
		for _, nc := range conns {
			nc.Close()
		}
	})
	return connect, name
}

// testPlan is 9 users of two classes (2:1) for d, each GETting / every
// 20 ms.
func testPlan(host string, d time.Duration) engine.Plan {
	get := func(ctx context.Context, u *engine.User) error {
		_, err := u.Get(ctx, "/", "/")
		return err
	}
	return engine.Plan{Host: host, Load: engine.Closed{Users: 9}, Duration: d, StopTimeout: 5 * time.Second,
		Interval: 250 * time.Millisecond, Classes: []engine.Class{
			{Name: "Reader", Weight: 2, Wait: engine.Constant{D: 20 * time.Millisecond}, Tasks: []engine.Task{{Weight: 1, Do: get}}},
			{Name: "Writer", Weight: 1, Wait: engine.Constant{D: 20 * time.Millisecond}, Tasks: []engine.Task{{Weight: 1, Do: get}}},
		}}
}

// fleetRun is a coordinator and its workers, in this process.
type fleetRun struct {
	mu       sync.Mutex
	raw      map[string][]*engine.Interval // each worker's own intervals
	merged   []*engine.Interval
	worked   []*Worked
	errs     []error
	events   []string
	workerWG sync.WaitGroup
}

func (f *fleetRun) note(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, s)
}

// startWorkers starts n workers on their own connections.
func (f *fleetRun) startWorkers(t *testing.T, ctx context.Context, connect func() *nats.Conn, jobName string, n int, plan func() engine.Plan) []*nats.Conn {
	var conns []*nats.Conn
	for i := range n {
		nc := connect()
		conns = append(conns, nc)
		name := "w" + string(rune('a'+i))
		f.workerWG.Go(func() {
			w, err := Work(ctx, WorkerConfig{Conn: nc, Job: jobName, Name: name,
				Build: func(_ context.Context, spec []byte) (engine.Plan, error) {
					if string(spec) != "the spec" {
						t.Errorf("worker %s read spec %q", name, spec)
					}
					return plan(), nil
				},
				OnInterval: func(iv *engine.Interval) {
					f.mu.Lock()
					defer f.mu.Unlock()
					f.raw[name] = append(f.raw[name], iv)
				},
				OnEvent: f.note,
			})
			f.mu.Lock()
			defer f.mu.Unlock()
			f.worked = append(f.worked, w)
			if err != nil {
				f.errs = append(f.errs, err)
			}
		})
	}
	return conns
}

// launch makes the coordinator of run (closed after t) and three
// workers of plan on connections of their own, and waits for them to
// join.
func (f *fleetRun) launch(t *testing.T, ctx context.Context, connect func() *nats.Conn, jobName, run string,
	lostAfter time.Duration, plan func() engine.Plan) (*Coordinator, []*nats.Conn) {
	c, err := New(ctx, Config{Conn: connect(), Job: jobName, Run: run, Parts: engine.EqualParts(3),
		Spec: []byte("the spec"), LostAfter: lostAfter, OnEvent: f.note})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	conns := f.startWorkers(t, ctx, connect, jobName, 3, plan)
	if n := c.Wait(ctx, time.Minute); n != 3 {
		t.Fatalf("%d workers joined: %v", n, f.events)
	}
	return c, conns
}

// TestFleet: a coordinator and three workers on one machine load a
// counting target: the merged run counts every request the target
// served, its percentiles are those of the union of the workers'
// histograms, its class split is the plan's, and a replay of the stream
// gives back the same merged intervals.
func TestFleet(t *testing.T) {
	connect, jobName := job(t)
	target, host := newCounter(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	f := &fleetRun{raw: map[string][]*engine.Interval{}}
	plan := func() engine.Plan { return testPlan(host, 2*time.Second) }
	c, _ := f.launch(t, ctx, connect, jobName, "fleet-1", 3*time.Second, plan)
	p := plan()
	var started engine.RunInfo
	p.OnStart = func(ri engine.RunInfo) { started = ri }
	p.OnInterval = func(iv *engine.Interval) { f.merged = append(f.merged, iv) }
	res, err := c.Run(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	f.workerWG.Wait()
	if len(f.errs) > 0 {
		t.Fatalf("workers: %v\n%s", f.errs, strings.Join(f.events, "\n"))
	}

	total := res.Total.Total()
	target.mu.Lock()
	served, byClass := target.served, target.byClass
	target.mu.Unlock()
	if total.Requests == 0 || total.Requests != served || total.Aborted != 0 {
		t.Errorf("merged %d requests (%d aborted); the target served %d", total.Requests, total.Aborted, served)
	}
	if r, w := res.Total.Stat("GET", "/"), byClass; r == nil || w["Reader"]+w["Writer"] != served {
		t.Errorf("by class %v", w)
	}
	var raw [][]*engine.Interval
	for _, ivs := range f.raw {
		raw = append(raw, ivs)
	}
	checkUnion(t, f.merged, union(raw...))
	if started.Users != 9 || len(started.Parts) != 3 || started.Cores < 3 || res.RunID != "fleet-1" {
		t.Errorf("the merged run's info: %d users, parts %+v, %d cores, run %q", started.Users, started.Parts, started.Cores, res.RunID)
	}
	peak := map[string]int{}
	for _, iv := range f.merged {
		if iv.Users == 9 {
			peak = iv.Classes
			break
		}
	}
	if peak["Reader"] != 6 || peak["Writer"] != 3 {
		t.Errorf("the merged class split at 9 users: %v, want Reader 6, Writer 3", peak)
	}
	for _, iv := range f.merged {
		if len(iv.Lost) > 0 {
			t.Errorf("interval %d lost %v in a run without failures", iv.Seq, iv.Lost)
		}
	}

	// A worker that comes late is refused, and waits for the next run.
	var late []string
	_, err = Work(ctx, WorkerConfig{Conn: connect(), Job: jobName, Name: "late", Wait: 2 * time.Second,
		Build:   func(context.Context, []byte) (engine.Plan, error) { return plan(), nil },
		OnEvent: func(s string) { late = append(late, s) }})
	if err == nil || !strings.Contains(strings.Join(late, "\n"), "is under way") {
		t.Errorf("a late worker: %v, %q", err, late)
	}

	var replayed []*engine.Interval
	rp, err := Replay(ctx, connect(), jobName, "fleet-1", func(iv *engine.Interval) { replayed = append(replayed, iv) })
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(f.merged)
	b, _ := json.Marshal(replayed)
	if string(a) != string(b) || !rp.Ended || string(rp.Spec) != "the spec" || rp.Info.Users != 9 {
		t.Errorf("the replay differs: %d intervals live, %d replayed, ended %v, spec %q", len(f.merged), len(replayed), rp.Ended, rp.Spec)
	}
	if _, err := Replay(ctx, connect(), jobName, "no-such-run", func(*engine.Interval) {}); err == nil {
		t.Error("Replay of a run the stream does not hold: no error")
	}
}

// TestFleetWorkerCutOff: a worker whose connection closes mid-run is
// given up: the run completes, its segment is named in the merged
// intervals from then on and in RunInfo.Parts, and the merged counts are
// those of the workers that reported.
func TestFleetWorkerCutOff(t *testing.T) {
	connect, jobName := job(t)
	_, host := newCounter(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	f := &fleetRun{raw: map[string][]*engine.Interval{}}
	plan := func() engine.Plan { return testPlan(host, 4*time.Second) }
	c, conns := f.launch(t, ctx, connect, jobName, "fleet-2", 2*time.Second, plan)
	p := plan()
	var cut atomic.Bool
	p.OnInterval = func(iv *engine.Interval) {
		f.merged = append(f.merged, iv)
		if iv.Seq == 3 && cut.CompareAndSwap(false, true) {
			conns[1].Close() // worker b: cut off from NATS
		}
	}
	res, err := c.Run(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	f.workerWG.Wait()
	var lostSeg string
	for _, pt := range res.Parts {
		if pt.Stopped.IsZero() {
			continue
		}
		if lostSeg != "" || pt.Engine != "wb" || !strings.Contains(pt.Why, "no interval") {
			t.Fatalf("lost parts: %+v\n%s", res.Parts, strings.Join(f.events, "\n"))
		}
		lostSeg = pt.Segment
	}
	if lostSeg == "" {
		t.Fatalf("no part lost: %+v\n%s", res.Parts, strings.Join(f.events, "\n"))
	}
	last := f.merged[len(f.merged)-1]
	if !slices.Equal(last.Lost, []string{lostSeg}) || slices.Contains(f.merged[3].Lost, lostSeg) {
		t.Errorf("lost: interval 3 %v, last %v", f.merged[3].Lost, last.Lost)
	}
	var reported [][]*engine.Interval
	for name, ivs := range f.raw {
		if name != "wb" {
			reported = append(reported, ivs)
		}
	}
	// The merged intervals from the loss on hold the two others only.
	var after []*engine.Interval
	for _, iv := range f.merged {
		if slices.Contains(iv.Lost, lostSeg) {
			after = append(after, iv)
		}
	}
	var others [][]*engine.Interval
	for _, ivs := range reported {
		var tail []*engine.Interval
		for _, iv := range ivs {
			if iv.Seq >= after[0].Seq {
				tail = append(tail, iv)
			}
		}
		others = append(others, tail)
	}
	checkUnion(t, after, union(others...))
}

// TestFleetEndsBeforeStart: a coordinator that ends before the start
// (its Ctrl-C while it waited for workers) tells the workers that
// joined, which stop waiting.
func TestFleetEndsBeforeStart(t *testing.T) {
	connect, jobName := job(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	f := &fleetRun{raw: map[string][]*engine.Interval{}}
	c, err := New(ctx, Config{Conn: connect(), Job: jobName, Run: "fleet-3", Parts: engine.EqualParts(2), Spec: []byte("the spec")})
	if err != nil {
		t.Fatal(err)
	}
	f.startWorkers(t, ctx, connect, jobName, 1, func() engine.Plan { return testPlan("http://127.0.0.1:9", time.Second) })
	for n, _ := c.Joined(); n < 1; n, _ = c.Joined() { // one of two parts
		if ctx.Err() != nil {
			t.Fatal("the worker did not join")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	f.workerWG.Wait()
	if len(f.errs) != 1 || !strings.Contains(f.errs[0].Error(), "ended before its start") {
		t.Errorf("the worker: %v", f.errs)
	}
}

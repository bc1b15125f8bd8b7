package natsfleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/soaklab/soak/engine"
)

// ErrStarted is returned by a second call of Coordinator.Run.
var ErrStarted = errors.New("natsfleet: the coordinator's run has started already")

// watchEvery is how often the coordinator looks for late workers.
const watchEvery = 250 * time.Millisecond

// Run releases a common start a second from now and has every worker
// that joined run its segment of p; it reads their intervals from the
// stream as they are recorded, merges them exactly (engine.Interval.Add:
// counts and HDR histograms add up, so the merged percentiles are those
// of the union of the workers' histograms), and returns the merged
// result. It behaves as engine.Run does, for runner.Config.Load: it
// calls p.OnStart once with the whole plan's RunInfo (RunInfo.Parts
// names the workers), hands every merged interval to p.OnInterval in
// order, tells the workers to stop gracefully when p.Stop is closed, and
// to abort when ctx is cancelled (then it waits at most 5 s for their
// last words).
//
// A worker that sends no interval within LostAfter of an interval's
// planned end is given up (an event in the stream, which the worker
// obeys by stopping): its segment is named in Interval.Lost from then
// on, and RunInfo.Parts says when and why it stopped counting; so is a
// worker that ends early on its own or fails, and a segment no worker
// took. Nothing is estimated in their place.
//
// p.RunID must be the Config's Run (or empty); p.Segment is ignored.
func (c *Coordinator) Run(ctx context.Context, p engine.Plan) (*engine.Result, error) {
	if p.RunID != "" && p.RunID != c.cfg.Run {
		return nil, fmt.Errorf("%w: the plan's RunID %q is not the run %q", ErrConfig, p.RunID, c.cfg.Run)
	}
	p.RunID, p.Segment = c.cfg.Run, engine.Segment{}
	info, err := engine.Describe(p)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.started {
		c.mu.Unlock()
		return nil, ErrStarted
	}
	c.started = true
	parts := append([]part(nil), c.parts...)
	info.Cores = 0
	for _, n := range c.cores {
		info.Cores += n
	}
	c.mu.Unlock()
	for _, pt := range parts {
		info.Parts = append(info.Parts, engine.Part{Segment: pt.Segment, Engine: pt.Name})
	}

	bg := context.WithoutCancel(ctx) // the run reads and tells on after a cancellation
	s, err := c.js.Stream(ctx, c.n.stream())
	if err != nil {
		return nil, fmt.Errorf("natsfleet: stream %s: %w", c.n.stream(), err)
	}
	rd, err := read(bg, s, c.n.everything(), false)
	if err != nil {
		return nil, err
	}
	defer rd.Stop()
	info.Start = time.Now().Add(startLead)
	if err := c.event(ctx, &event{Kind: evStart, At: info.Start, Parts: parts, Info: &info}); err != nil {
		return nil, err
	}
	if p.OnStart != nil {
		p.OnStart(info)
	}
	pm := &pump{c: c, p: &p, info: info, series: engine.Series{Max: p.MaxIntervals}, declared: map[string]bool{},
		lostAfter: max(c.cfg.LostAfter, 2*info.Interval), calm: time.Now()}
	pm.m = newMerger(func(iv *engine.Interval) { pm.out = append(pm.out, iv) })
	c.mu.Lock()
	c.merger = pm.m
	c.mu.Unlock()
	pm.loop(ctx, bg, rd)

	_ = c.event(bg, &event{Kind: evEnd})
	c.mu.Lock()
	info.Parts = pm.m.parts()
	if n := pm.m.late(); n > 0 {
		c.note("%d intervals of lost workers came after they were given up; they are in the stream, not in the results", n)
	}
	c.mu.Unlock()
	res := pm.series.Result(info)
	res.Canceled = ctx.Err() != nil || pm.m.abort
	res.Stopped = pm.m.stop
	return res, nil
}

// event publishes a coordinator event, bounded in time.
func (c *Coordinator) event(ctx context.Context, ev *event) error {
	b, _ := json.Marshal(ev)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := c.js.Publish(ctx, c.n.events(), b); err != nil {
		return fmt.Errorf("natsfleet: publishing the %s event: %w", ev.Kind, err)
	}
	return nil
}

// pump is the coordinator's loop of one run: messages in, merged
// intervals out, late workers given up, stops passed on.
type pump struct {
	c         *Coordinator
	p         *engine.Plan
	info      engine.RunInfo
	m         *merger
	series    engine.Series
	out       []*engine.Interval // emitted by the merger, to hand on outside the lock
	declared  map[string]bool    // workers whose loss is published, not yet read back
	lostAfter time.Duration
	calm      time.Time // since when the coordinator's connection is up
	reconn    uint64
	abortBy   time.Time
}

func (pm *pump) loop(ctx, bg context.Context, rd *reader) {
	tick := time.NewTicker(watchEvery)
	defer tick.Stop()
	stop, cancelled := pm.p.Stop, ctx.Done()
	for !pm.m.over {
		select {
		case msg, ok := <-rd.C:
			if !ok {
				pm.finish("the coordinator's stream reader ended")
				continue
			}
			pm.apply(msg)
		case <-stop:
			stop = nil
			if err := pm.c.event(bg, &event{Kind: evStop}); err != nil {
				pm.c.note("%v", err)
			}
		case <-cancelled:
			cancelled = nil
			pm.abortBy = time.Now().Add(abortGrace)
			if err := pm.c.event(bg, &event{Kind: evAbort}); err != nil {
				pm.c.note("%v", err)
			}
		case now := <-tick.C:
			if !pm.abortBy.IsZero() && now.After(pm.abortBy) {
				pm.finish(fmt.Sprintf("no last word from its worker within %v of the abort", abortGrace))
				continue
			}
			pm.watch(bg, now)
		}
		pm.handOn()
	}
}

// apply feeds one message of the run to the merger.
func (pm *pump) apply(msg jetstream.Msg) {
	at := time.Now()
	if meta, err := msg.Metadata(); err == nil {
		at = meta.Timestamp
	}
	rel := strings.TrimPrefix(msg.Subject(), pm.c.n.runs()+".")
	pm.c.mu.Lock()
	err := pm.m.apply(rel, msg.Data(), msg.Headers().Get, at)
	pm.c.mu.Unlock()
	if err != nil {
		pm.c.note("left out a message soak cannot read on %s: %v", msg.Subject(), err)
	}
}

// finish gives up on everyone still expected.
func (pm *pump) finish(why string) {
	pm.c.mu.Lock()
	pm.m.finish(time.Now(), why)
	pm.c.mu.Unlock()
}

// handOn passes the merged intervals on, outside the lock (a live view
// may ask for Health from OnInterval).
func (pm *pump) handOn() {
	for _, iv := range pm.out {
		pm.series.Add(iv)
		if pm.p.OnInterval != nil {
			pm.p.OnInterval(iv)
		}
		for _, seg := range iv.Lost {
			if !pm.declared["seg:"+seg] {
				pm.declared["seg:"+seg] = true
				pm.c.note("segment %s is lost from interval %d (%s) on: its share of the load is missing from the results",
					seg, iv.Seq, iv.Start.UTC().Format(time.TimeOnly))
			}
		}
	}
	pm.out = pm.out[:0]
}

// watch gives up the workers that owe the next merged interval and are
// more than lostAfter late with it. While the coordinator's own
// connection is down, or for lostAfter after it came back, nobody is
// given up: the lateness may be the coordinator's.
func (pm *pump) watch(ctx context.Context, now time.Time) {
	nc := pm.c.cfg.Conn
	if r := nc.Stats().Reconnects; !nc.IsConnected() || r != pm.reconn {
		pm.reconn, pm.calm = r, now
		return
	}
	type late struct{ id, name, segment string }
	var owe []late
	pm.c.mu.Lock()
	k := pm.m.next
	due := pm.info.Start.Add(time.Duration(k+1) * pm.info.Interval)
	if due.Before(pm.calm) {
		due = pm.calm
	}
	if !pm.m.over && !now.Before(due.Add(pm.lostAfter)) {
		for _, w := range pm.m.workers {
			if id := w.part.Worker; id != "" && !w.ready(k) && !pm.declared[id] {
				owe = append(owe, late{id, w.part.Name, w.part.Segment})
			}
		}
	}
	pm.c.mu.Unlock()
	for _, w := range owe {
		why := fmt.Sprintf("no interval %d from it within %v of the interval's end (its worker died or lost its connection)", k, pm.lostAfter)
		if err := pm.c.event(ctx, &event{Kind: evLost, Worker: w.id, Seq: k, Why: why}); err != nil {
			pm.c.note("%v", err)
			continue
		}
		pm.declared[w.id] = true
		pm.c.note("worker %s (segment %s) given up: %s", w.name, w.segment, why)
	}
}

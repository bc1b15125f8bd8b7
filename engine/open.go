package engine

import (
	"cmp"
	"time"

	"go.uber.org/ratelimit"

	"github.com/soaklab/soak/internal/clock"
)

// DefaultMaxWorkers is the open model's worker cap when Open.MaxWorkers is 0.
const DefaultMaxWorkers = 5000

// maxBacklog is how far behind its schedule the dispatcher may fall and
// still catch up every missed arrival: the rate limiter's slack.
const maxBacklog = 24 * time.Hour

// openLoad drives the open model: a dispatcher paced by
// go.uber.org/ratelimit hands each arrival, with its intended start time,
// to an idle worker of the arrival's class, starting a new worker when
// none is idle and the pool is below its cap, and dropping the arrival
// (counted) when it is at the cap. A segment of the plan takes the
// arrivals at its own positions of the plan's arrival sequence, of the
// class and at the time the whole plan gives them.
type openLoad struct {
	r          *runner
	mix        *mix
	idle       []chan time.Time // per class; unbuffered, so a send succeeds only to a waiting worker
	maxWorkers int64
	pos        int64 // the plan's arrivals so far, over every stage
}

func (r *runner) runOpen(l Open, loadEnd time.Time) {
	maxWorkers := int64(cmp.Or(l.MaxWorkers, DefaultMaxWorkers))
	if !r.plan.Segment.Whole() {
		maxWorkers = max(r.plan.Segment.Count(maxWorkers), 1)
	}
	o := &openLoad{r: r, mix: newMix(r.plan.Classes), maxWorkers: maxWorkers}
	for range r.classes {
		o.idle = append(o.idle, make(chan time.Time))
	}
	stages := l.Stages
	if stages == nil {
		stages = []RateStage{{Duration: r.info.Duration, Rate: l.Rate}}
	}
	walkStages(r.info.Start, loadEnd, stages, func(s RateStage) time.Duration { return s.Duration },
		func(s RateStage, at, end time.Time) bool {
			rate := s.Rate
			for {
				switch o.dispatch(rate, at, end) {
				case holdEnded:
					return true
				case holdStopped:
					return false
				}
				// The arrivals before now went out; the schedule goes
				// on from now, at the new rate when a change waits.
				at = time.Now()
				if ch, ok := r.plan.Control.take(); ok {
					rate, at = ch.Rate, r.applied(ch).At
				}
			}
		})
}

// dispatch releases arrivals at rate per second from start until end.
// The i-th arrival's intended start is start + i/rate: exactly the
// limiter's own schedule, as the limiter's clock is anchored at start (see
// anchoredClock), and with a slack of maxBacklog it never skips an
// arrival. When the dispatcher falls behind (a stall, a late stage start),
// Take returns at once and arrivals go out late, each with its latency
// still counted from its intended start. A segment, whose arrivals are
// not evenly spaced, sleeps until each of its own instead. It reports
// holdEnded at end, holdStopped when the load was stopped, and
// holdChanged when a Control's change waits (Plan.Control).
func (o *openLoad) dispatch(rate float64, start, end time.Time) hold {
	r := o.r
	seg := r.plan.Segment
	changes := r.changes()
	period := time.Duration(float64(time.Second) / rate)
	var lim ratelimit.Limiter
	if seg.Whole() {
		lim = ratelimit.New(1, ratelimit.Per(period), ratelimit.WithSlack(int(maxBacklog/period)+1),
			ratelimit.WithClock(&anchoredClock{ctxClock: ctxClock{r.stopCtx}, anchor: start}))
	}
	for i := int64(0); ; i++ {
		intended := start.Add(time.Duration(i) * period)
		if !intended.Before(end) {
			return holdEnded
		}
		select {
		case <-changes:
			return holdChanged
		default:
		}
		ci := o.mix.next()
		o.pos++
		if !seg.Owns(o.pos - 1) {
			continue
		}
		if lim != nil {
			lim.Take()
		} else {
			clock.SleepUntil(r.stopCtx, intended)
		}
		if r.stopCtx.Err() != nil {
			return holdStopped
		}
		o.arrive(intended, ci)
	}
}

// anchoredClock is the dispatcher's clock for go.uber.org/ratelimit: its
// first Now is the stage's planned start, which the limiter takes as the
// origin of its schedule (it anchors on its first Take); later calls are
// the real time. So the limiter's release times are start + i/rate even
// when the dispatcher reaches the stage late. Used by one goroutine.
type anchoredClock struct {
	ctxClock
	anchor time.Time
	used   bool
}

func (c *anchoredClock) Now() time.Time {
	if !c.used {
		c.used = true
		return c.anchor
	}
	return time.Now()
}

// arrive hands one arrival of class ci to a worker.
func (o *openLoad) arrive(intended time.Time, ci int) {
	r := o.r
	r.sched.arrivals.Add(1)
	select {
	case o.idle[ci] <- intended:
		return
	default:
	}
	if r.workers.Load() >= o.maxWorkers {
		r.sched.dropped.Add(1)
		return
	}
	r.workers.Add(1)
	// Workers are numbered at the segment's positions of the plan's
	// sequence of numbers, so two engines never share one.
	u := r.newUser(r.classes[ci], int(r.plan.Segment.Position(r.userSeq.Add(1)-1))+1)
	r.wg.Add(1)
	go r.worker(u, intended, o.idle[ci])
}

// worker serves arrivals of one class: for each, one task of its user,
// whose first request is timed from the arrival's intended start. A new
// worker's OnStart runs inside its first arrival: that arrival's first
// request counts the OnStart time, as the arrival truly waited for it,
// but its start lag (the generator's delay) is taken before.
func (r *runner) worker(u *User, intended time.Time, next <-chan time.Time) {
	defer r.wg.Done()
	defer r.workers.Add(-1)
	defer u.close()
	cs := u.cls
	r.userStarted(cs)
	defer r.userStopped(cs)
	r.sched.arrivalStarted(time.Since(intended), r.set.lateAfter)
	if r.runHook(u, cs.c.OnStart, "on_start") {
		var cur taskCursor
		for first := true; ; first = false {
			if !first {
				r.sched.arrivalStarted(time.Since(intended), r.set.lateAfter)
			}
			u.intended = intended
			i := cs.pick(u, &cur)
			err := cs.c.Tasks[i].Do(r.runCtx, u)
			stop := r.taskDone(u, cs.names[i], err)
			u.intended = time.Time{}
			if stop {
				r.quit(u, cs.names[i], err)
				break
			}
			select {
			case intended = <-next:
				continue
			case <-r.stopCtx.Done():
			}
			break
		}
	}
	r.runHook(u, cs.c.OnStop, "on_stop")
}

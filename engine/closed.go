package engine

import (
	"time"
)

// closedLoad drives the closed model: it starts and stops users so that
// their count follows the stages, at the spawn rate, in the mix's order.
// The i-th step of a ramp (a user started or stopped) is due at i/rate
// from the ramp's start in the whole plan; a segment takes the steps at
// its own positions only, at the same times.
type closedLoad struct {
	r    *runner
	ros  roster
	rate float64
}

// runClosed returns when the load (and its ramp-down) is over or the run
// is cancelled; the users still running are then stopped by finish.
func (r *runner) runClosed(l Closed, loadEnd time.Time) {
	c := &closedLoad{r: r, ros: newRoster(r.plan.Classes), rate: l.SpawnRate}
	stages := l.Stages
	if stages == nil {
		stages = []Stage{{Duration: r.info.Duration, Users: l.Users}}
	}
	walkStages(r.info.Start, loadEnd, stages, func(s Stage) time.Duration { return s.Duration },
		func(s Stage, _, end time.Time) bool {
			target := s.Users
			for {
				// A change (Plan.Control) interrupts a ramp as well as a hold.
				if !c.rampTo(target, end, r.changes()) {
					switch r.waitUntil(end, r.changes()) {
					case holdEnded:
						return true
					case holdStopped:
						return false
					}
				}
				if ch, ok := r.plan.Control.take(); ok {
					target = r.applied(ch).Users
				}
			}
		})
	if l.RampDown > 0 && r.stopCtx.Err() == nil && c.ros.running() > 0 {
		c.rate = float64(c.ros.running()) / l.RampDown.Seconds()
		c.rampTo(0, loadEnd.Add(l.RampDown+time.Second), nil)
	}
}

// rampTo starts or stops users, one every 1/rate seconds (all at once when
// rate is 0), until target users of the plan run, the deadline passes, or
// the load ends. It returns true, early, when changes is ready (a
// Control's change waits; nil never is).
func (c *closedLoad) rampTo(target int, deadline time.Time, changes <-chan struct{}) bool {
	start := time.Now()
	seg := c.r.plan.Segment
	for k := 0; c.ros.running() != target; k++ {
		up := c.ros.running() < target
		pos := c.ros.running()
		if !up {
			pos--
		}
		ours := seg.Owns(int64(pos))
		if c.rate > 0 {
			at := start.Add(time.Duration(float64(k) / c.rate * float64(time.Second)))
			if !at.Before(deadline) {
				return false
			}
			if ours {
				switch c.r.waitUntil(at, changes) {
				case holdStopped:
					return false
				case holdChanged:
					return true
				}
			}
		} else if c.r.stopCtx.Err() != nil {
			return false
		}
		if !up {
			c.ros.shrink()
			if ours {
				last := c.r.live[len(c.r.live)-1]
				c.r.live = c.r.live[:len(c.r.live)-1]
				last.leaving.Store(true)
				last.halt()
			}
			continue
		}
		i, id, ok := c.ros.grow()
		if !ok {
			return false // only fixed classes, all full
		}
		if ours {
			c.r.live = append(c.r.live, c.r.spawn(c.r.classes[i], int(id)))
		}
	}
	return false
}

// spawn starts a closed-model user of class cs, numbered id.
func (r *runner) spawn(cs *classState, id int) *User {
	u := r.newUser(cs, id)
	// The timer that ends a pause (park), made here, disarmed, so that
	// halt may use it from the run's goroutine.
	u.timer = time.AfterFunc(time.Hour, u.run)
	u.timer.Stop()
	r.wg.Add(1)
	go r.userLoop(u)
	return u
}

// walkStages runs each stage in turn, from start, with its planned start
// and end (cut at loadEnd), until the load's end or until run returns
// false.
func walkStages[S any](start, loadEnd time.Time, stages []S, duration func(S) time.Duration, run func(s S, at, end time.Time) bool) {
	at := start
	for _, s := range stages {
		end := at.Add(duration(s))
		if end.After(loadEnd) {
			end = loadEnd
		}
		if !run(s, at, end) || !end.Before(loadEnd) {
			return
		}
		at = end
	}
}

package engine

import (
	"time"

	"github.com/soaklab/soak/internal/clock"
)

// closedLoad drives the closed model: it starts and stops users so that
// their count follows the stages, at the spawn rate, in the mix's order.
type closedLoad struct {
	r    *runner
	mix  *mix
	rate float64
	live []*User // running users, in spawn order
}

// runClosed returns when the load (and its ramp-down) is over or the run
// is cancelled; the users still running are then stopped by finish.
func (r *runner) runClosed(l Closed, loadEnd time.Time) {
	c := &closedLoad{r: r, mix: newMix(r.plan.Classes), rate: l.SpawnRate}
	stages := l.Stages
	if stages == nil {
		stages = []Stage{{Duration: r.info.Duration, Users: l.Users}}
	}
	walkStages(r.info.Start, loadEnd, stages, func(s Stage) time.Duration { return s.Duration },
		func(s Stage, _, end time.Time) bool {
			c.rampTo(s.Users, end)
			return clock.SleepUntil(r.stopCtx, end)
		})
	if l.RampDown > 0 && r.stopCtx.Err() == nil && len(c.live) > 0 {
		c.rate = float64(len(c.live)) / l.RampDown.Seconds()
		c.rampTo(0, loadEnd.Add(l.RampDown+time.Second))
	}
}

// rampTo starts or stops users, one every 1/rate seconds (all at once when
// rate is 0), until target users run, the deadline passes, or the load
// ends.
func (c *closedLoad) rampTo(target int, deadline time.Time) {
	start := time.Now()
	for k := 0; len(c.live) != target; k++ {
		if c.rate > 0 {
			at := start.Add(time.Duration(float64(k) / c.rate * float64(time.Second)))
			if !at.Before(deadline) || !clock.SleepUntil(c.r.stopCtx, at) {
				return
			}
		} else if c.r.stopCtx.Err() != nil {
			return
		}
		if len(c.live) < target {
			i := c.mix.next()
			if i < 0 {
				return // only fixed classes, all full
			}
			c.live = append(c.live, c.r.spawn(c.r.classes[i]))
		} else {
			last := c.live[len(c.live)-1]
			c.live = c.live[:len(c.live)-1]
			c.mix.undo(last.cls.idx)
			close(last.stop)
		}
	}
}

// spawn starts a closed-model user of class cs.
func (r *runner) spawn(cs *classState) *User {
	u := r.newUser(cs)
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

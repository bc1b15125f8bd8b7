package engine

import (
	"math"
	"time"
)

// MaxThroughput returns the most requests per second the plan can send,
// on average over its load (Duration plus a closed model's RampDown),
// however fast the service answers, and whether the plan has such a
// bound. A throughput target above it cannot be met by this plan, so a
// report can say so instead of blaming the service.
//
// Closed model: by Little's law a user completes at most one task per
// mean pause of its class's Wait (Constant: D; Between: (Min+Max)/2;
// ConstantPacing: Every; ConstantThroughput: 1/PerSecond), so it sends at
// most the class's mean Task.Requests per mean pause; the bound adds that
// over every user's time in the load, users started at SpawnRate in the
// engine's class order and stopped as the stages say. Open model: the
// arrivals (rate x time, over the stages) times the mean Task.Requests of
// the classes by weight. Either is capped by MaxRPS.
//
// There is no bound (ok false) when a class that gets users has no
// pause (nil Wait, a zero pause) or a Wait of another type, when a task
// that can run does not say its Requests, or when the load is not valid.
// A class's OnStart and OnStop requests are not counted: they run once
// per user.
func (p *Plan) MaxThroughput() (rps float64, ok bool) {
	dur := p.loadDuration()
	if dur <= 0 || len(p.Classes) == 0 {
		return 0, false
	}
	var sent float64 // requests over the load, at most
	switch l := p.Load.(type) {
	case Closed:
		var perUser []float64 // requests per second of a user, by class
		for i := range p.Classes {
			c := &p.Classes[i]
			r, ok := meanRequests(c)
			pause := meanPause(c.Wait)
			if c.Weight == 0 && c.Fixed == 0 {
				perUser = append(perUser, 0) // gets no user
				continue
			}
			if !ok || !(pause > 0) {
				return 0, false
			}
			perUser = append(perUser, r/pause.Seconds())
		}
		if l.RampDown > 0 {
			dur += l.RampDown
		}
		sent = closedUserSeconds(p, l, perUser)
	case Open:
		var weights, req float64
		for i := range p.Classes {
			c := &p.Classes[i]
			if c.Weight == 0 {
				continue
			}
			r, ok := meanRequests(c)
			if !ok {
				return 0, false
			}
			weights += float64(c.Weight)
			req += float64(c.Weight) * r
		}
		if weights == 0 {
			return 0, false
		}
		stages := l.Stages
		if stages == nil {
			stages = []RateStage{{Duration: dur, Rate: l.Rate}}
		}
		left := dur
		for _, s := range stages {
			d := min(s.Duration, left)
			sent += s.Rate * d.Seconds() * req / weights
			left -= d
		}
	default:
		return 0, false
	}
	rps = sent / dur.Seconds()
	if p.MaxRPS > 0 {
		rps = min(rps, p.MaxRPS)
	}
	return rps, !math.IsNaN(rps) && !math.IsInf(rps, 0)
}

// meanRequests is the mean Requests of c's task runs, weighted as the
// tasks are picked (or repeated, for a sequential class); ok is false
// when a task that runs does not say.
func meanRequests(c *Class) (float64, bool) {
	var w, sum float64
	for _, t := range c.Tasks {
		if t.Weight <= 0 {
			continue
		}
		if t.Requests <= 0 {
			return 0, false
		}
		w += float64(t.Weight)
		sum += float64(t.Weight) * float64(t.Requests)
	}
	if w == 0 {
		return 0, false
	}
	return sum / w, true
}

// meanPause is the mean pause of w between two tasks; 0 when w has none
// or is not one of the engine's waits.
func meanPause(w Wait) time.Duration {
	switch w := w.(type) {
	case Constant:
		return w.D
	case Between:
		return (w.Min + w.Max) / 2
	case ConstantPacing:
		return w.Every
	case ConstantThroughput:
		if w.PerSecond > 0 {
			return time.Duration(float64(time.Second) / w.PerSecond)
		}
	}
	return 0
}

// closedUserSeconds is the requests the closed model's users can send
// at perUser (by class) over their time in the load: users start and
// stop as runClosed moves them, at the spawn rate, in the mix's order,
// and the last ones stop at the load's end (or over RampDown).
func closedUserSeconds(p *Plan, l Closed, perUser []float64) float64 {
	dur := p.loadDuration()
	stages := l.Stages
	if stages == nil {
		stages = []Stage{{Duration: dur, Users: l.Users}}
	}
	m := newMix(p.Classes)
	type live struct {
		class int
		from  float64 // seconds from the load's start
	}
	var users []live
	var sent float64
	end := func(u live, at float64) { sent += perUser[u.class] * max(at-u.from, 0) }
	at, load := 0.0, dur.Seconds()
	for _, s := range stages {
		stageEnd := min(at+s.Duration.Seconds(), load)
		for k := 0; len(users) != s.Users; k++ {
			t := at
			if l.SpawnRate > 0 {
				t = at + float64(k)/l.SpawnRate
				if t >= stageEnd {
					break
				}
			}
			if len(users) < s.Users {
				i := m.next()
				if i < 0 {
					break
				}
				users = append(users, live{class: i, from: t})
			} else {
				u := users[len(users)-1]
				users = users[:len(users)-1]
				m.undo(u.class)
				end(u, t)
			}
		}
		if at = stageEnd; at >= load {
			break
		}
	}
	rate := 0.0
	if l.RampDown > 0 && len(users) > 0 {
		rate = float64(len(users)) / l.RampDown.Seconds()
	}
	for k := len(users) - 1; k >= 0; k-- {
		stop := load
		if rate > 0 {
			stop += float64(len(users)-1-k) / rate
		}
		end(users[k], stop)
	}
	return sent
}

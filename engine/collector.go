package engine

import (
	"sync"
	"sync/atomic"
	"time"
)

// schedCounters are the open model's arrival counts since the last
// interval, updated by the dispatcher and the workers.
type schedCounters struct {
	arrivals, started, late, dropped, sumLag, maxLag atomic.Int64
	peakWorkers                                      atomic.Int64
}

// arrivalStarted notes a worker starting an arrival lag behind schedule.
func (s *schedCounters) arrivalStarted(lag, lateAfter time.Duration) {
	us := max(int64(lag/time.Microsecond), 0)
	s.started.Add(1)
	s.sumLag.Add(us)
	if lag > lateAfter {
		s.late.Add(1)
	}
	atomicMax(&s.maxLag, us)
}

func atomicMax(a *atomic.Int64, v int64) {
	for {
		old := a.Load()
		if v <= old || a.CompareAndSwap(old, v) {
			return
		}
	}
}

// take returns the counts since the last take and resets them.
func (s *schedCounters) take(workers int) Schedule {
	return Schedule{
		Arrivals:     s.arrivals.Swap(0),
		Started:      s.started.Swap(0),
		Late:         s.late.Swap(0),
		Dropped:      s.dropped.Swap(0),
		SumLagMicros: s.sumLag.Swap(0),
		MaxLagMicros: s.maxLag.Swap(0),
		Workers:      workers,
		PeakWorkers:  int(s.peakWorkers.Swap(int64(workers))),
	}
}

// userStarted and userStopped keep the running-user counts.
func (r *runner) userStarted(cls *classState) {
	r.started.Add(1)
	n := r.users.Add(1)
	cls.users.Add(1)
	atomicMax(&r.peak, n)
	if r.info.Model == "open" {
		atomicMax(&r.sched.peakWorkers, n)
	}
}

func (r *runner) userStopped(cls *classState) {
	r.users.Add(-1)
	cls.users.Add(-1)
}

// collectLoop closes an interval every Interval until done is closed, then
// closes the last (partial) one.
func (r *runner) collectLoop(done <-chan struct{}, sink *sink) {
	t := time.NewTicker(r.set.interval)
	defer t.Stop()
	start := r.info.Start
	for seq := 0; ; seq++ {
		select {
		case now := <-t.C:
			start = r.flush(seq, start, now, sink)
		case <-done:
			r.flush(seq, start, time.Now(), sink)
			return
		}
	}
}

// flush closes the interval [start, end).
func (r *runner) flush(seq int, start, end time.Time, sink *sink) time.Time {
	users := int(r.users.Load())
	iv := &Interval{Seq: seq, Span: 1, Start: start, End: end, Users: users,
		MaxUsers: int(max(r.peak.Swap(int64(users)), int64(users))), Started: r.started.Swap(0)}
	if r.info.Model == "closed" {
		iv.Classes = make(map[string]int, len(r.classes))
		for _, c := range r.classes {
			iv.Classes[c.c.Name] = int(c.users.Load())
		}
	} else {
		iv.Schedule = r.sched.take(users)
	}
	r.rec.collect(iv)
	iv.Changes = r.takeChanges()
	cpu := processCPU()
	iv.CPU, r.lastCPU = cpu-r.lastCPU, cpu
	r.series.Add(iv)
	sink.push(iv)
	return end
}

// sink delivers intervals to Plan.OnInterval on its own goroutine, in
// order, so that a slow callback delays neither the load nor the
// interval boundaries. Its queue holds at most an hour of 1 s intervals;
// beyond that the collector waits for the callback.
type sink struct {
	fn   func(*Interval)
	ch   chan *Interval
	done chan struct{}
	once sync.Once
}

func newSink(fn func(*Interval)) *sink {
	s := &sink{fn: fn}
	if fn != nil {
		s.ch, s.done = make(chan *Interval, 3600), make(chan struct{})
		go func() {
			defer close(s.done)
			for iv := range s.ch {
				fn(iv)
			}
		}()
	}
	return s
}

func (s *sink) push(iv *Interval) {
	if s.fn != nil {
		s.ch <- iv
	}
}

// close waits for every interval to be delivered.
func (s *sink) close() {
	if s.fn != nil {
		s.once.Do(func() { close(s.ch); <-s.done })
	}
}

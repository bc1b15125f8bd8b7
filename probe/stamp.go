package probe

import "time"

// stamp is a point in time as nanoseconds since the probe started, plus
// one, read from the monotonic clock (one clock read, where time.Now reads
// two); 0 means "not set".
type stamp int64

func (s stamp) sub(earlier stamp) time.Duration { return time.Duration(s - earlier) }

// stampNow returns the current stamp.
func (p *Probe) stampNow() stamp {
	if p.opts.realClock {
		return stamp(time.Since(p.t0)) + 1
	}
	return p.stampAt(p.opts.clock())
}

// stampAt converts t (from p.now) to a stamp.
func (p *Probe) stampAt(t time.Time) stamp { return stamp(t.Sub(p.t0)) + 1 }

// timeOf converts a stamp back to a time.
func (p *Probe) timeOf(s stamp) time.Time { return p.t0.Add(time.Duration(s - 1)) }

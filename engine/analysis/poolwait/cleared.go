package poolwait

import "github.com/soaklab/soak/engine/capture"

// Cleared reports whether pool name's exhaustion cleared once the load
// stopped: by the end of the drain nothing waits for it and it is back to
// its baseline's acquired connections. Requests already queued when the
// load stopped still wait their turn early in the drain (a backlog of
// acquires draining, as a service with a slow holder does); that is the
// backlog clearing, not the exhaustion staying, so only the drain's last
// stretch, between its last two samples, must be free of waits and
// give-ups (between its first and last when it has fewer than three).
//
// checked is false when the drain has no sample of the pool (the run
// ended before its drain, or the stop left no time for one): then
// cleared says nothing.
func Cleared(s *capture.SourceTimeline, name string) (cleared, checked bool) {
	first, last := s.First[capture.PhaseDrain], s.Last[capture.PhaseDrain]
	if first == nil || last == nil {
		return false, false
	}
	a, aok := first.Pool(name)
	b, bok := last.Pool(name)
	if !aok || !bok {
		return false, false
	}
	// The stretch starts at the drain's latest point before its last
	// sample: the second-to-last sample, or on a thinned timeline (a long
	// run keeps every other point) the latest one kept; the first sample
	// when the drain has no other.
	empty, canceled := a.EmptyAcquireCount, a.CanceledAcquireCount
	end := s.LastTime[capture.PhaseDrain]
	for i := len(s.Points) - 1; i >= 0; i-- {
		p := &s.Points[i]
		if p.Phase != capture.PhaseDrain || !p.Time.Before(end) {
			continue
		}
		if pp := p.Pool(name); pp != nil {
			empty, canceled = pp.EmptyAcquire, pp.Canceled
			break
		}
	}
	if b.WaitingAcquires > 0 || b.EmptyAcquireCount > empty || b.CanceledAcquireCount > canceled {
		return false, true
	}
	base := int32(0)
	if bs := s.Last[capture.PhaseBaseline]; bs != nil {
		if p, ok := bs.Pool(name); ok {
			base = p.AcquiredConns
		}
	}
	return b.AcquiredConns <= base, true
}

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
	empty, canceled := a.EmptyAcquireCount, a.CanceledAcquireCount
	var drain []*capture.PoolPoint
	for i := range s.Points {
		if pp := s.Points[i].Pool(name); pp != nil && s.Points[i].Phase == capture.PhaseDrain {
			drain = append(drain, pp)
		}
	}
	if len(drain) >= 3 {
		empty, canceled = drain[len(drain)-2].EmptyAcquire, drain[len(drain)-2].Canceled
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

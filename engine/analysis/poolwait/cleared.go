package poolwait

import "github.com/soaklab/soak/engine/capture"

// Cleared reports whether pool name's exhaustion cleared once the
// load stopped: by the end of the drain nothing waits for it and it is
// back to its baseline's acquired connections. Requests already queued
// when the load stopped still wait their turn early in the drain (a
// backlog of acquires draining, as a service with a slow holder does);
// that is the backlog clearing, not the exhaustion staying, so only the
// drain's last stretch, between its last two samples, must be free of
// waits and give-ups (between its first and last when it has only one
// or two).
func Cleared(s *capture.SourceTimeline, name string) bool {
	first, last := s.First[capture.PhaseDrain], s.Last[capture.PhaseDrain]
	if first == nil || last == nil {
		return false
	}
	b, bok := last.Pool(name)
	if !bok || b.WaitingAcquires > 0 {
		return false
	}
	empty, canceled := int64(-1), int64(-1) // the drain's second-to-last sample's counts
	var drain []capture.PoolPoint
	for _, pt := range s.Points {
		if pt.Phase != capture.PhaseDrain {
			continue
		}
		for _, pp := range pt.Pools {
			if pp.Name == name {
				drain = append(drain, pp)
			}
		}
	}
	if len(drain) >= 3 {
		empty, canceled = drain[len(drain)-2].EmptyAcquire, drain[len(drain)-2].Canceled
	} else if a, ok := first.Pool(name); ok {
		empty, canceled = a.EmptyAcquireCount, a.CanceledAcquireCount
	}
	if empty < 0 || b.EmptyAcquireCount > empty || b.CanceledAcquireCount > canceled {
		return false
	}
	base := int32(0)
	if bs := s.Last[capture.PhaseBaseline]; bs != nil {
		if p, ok := bs.Pool(name); ok {
			base = p.AcquiredConns
		}
	}
	return b.AcquiredConns <= base
}

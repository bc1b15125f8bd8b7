package poolwait

import (
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/probe"
)

// SteadyHolders is pool name's hold profile over the steady state: the
// last steady sample's entries minus the first's (entries matched by
// function and route), those released in it only.
func SteadyHolders(s *capture.SourceTimeline, name string) []probe.HolderSnapshot {
	first, last := s.First[capture.PhaseSteady], s.Last[capture.PhaseSteady]
	if first == nil || last == nil {
		return nil
	}
	lp, ok := last.Pool(name)
	if !ok {
		return nil
	}
	fp, _ := first.Pool(name)
	type key struct{ fn, file, method, route string }
	before := map[key]probe.HolderSnapshot{}
	for _, h := range fp.Holders {
		before[key{h.Function, h.File, h.Method, h.Route}] = h
	}
	var out []probe.HolderSnapshot
	for _, h := range lp.Holders {
		if b, ok := before[key{h.Function, h.File, h.Method, h.Route}]; ok && b.Releases <= h.Releases {
			h.Releases -= b.Releases
			h.HeldMicros -= b.HeldMicros
			h.BusyMicros -= b.BusyMicros
		}
		if h.Releases > 0 {
			out = append(out, h)
		}
	}
	return out
}

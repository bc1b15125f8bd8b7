package analysis

import (
	"fmt"
	"strings"
	"time"

	"github.com/soaklab/soak/engine/analysis/pprofsite"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
	"github.com/soaklab/soak/probe"
)

// heapDiffResult is the diff of a source's steady-state heap profiles.
type heapDiffResult struct {
	suspects []Suspect // the service's growing sites, most first (top 5)
	// total is the growth over every site; generator over soak's own
	// generator's sites; drivers over the database drivers' sites while
	// their pools opened connections (bounded by the pools' max); probe
	// over the sites of soak's probe and middleware in the service.
	total, generator, drivers, probe int64
	// runtime is the growth at stacks of runtime frames only (goroutine
	// descriptors and the like), which follows the goroutine count.
	runtime int64
	// service is the growth, summed by site, of the samples that are
	// neither the generator's nor the drivers'.
	service int64
	// trends is each suspect's site trend over the steady state's heap
	// profiles (nil when there were too few).
	trends        map[pprofsite.Site]pprofsite.Trend
	base, end     string // the profiles' paths
	evidence, err string
}

// heapDiff diffs the heap profiles of the steady state's start and end,
// and ranks the growing sites by their trend over the heap profiles taken
// during it (m's declared caches, if any, set apart the sites that
// follow them).
func (a *analyzer) heapDiff(source string, m *MemoryFigures) heapDiffResult {
	var hd heapDiffResult
	base := a.c.Profile(source, probe.ProfileHeap, capture.MomentSteadyStart)
	// The end is the drain's profile when there is one: the requests in
	// flight at the steady state's end hold their working set, which is
	// not retained memory; after the drain only what stays is left.
	end, endName := a.c.Profile(source, probe.ProfileHeap, capture.MomentDrainEnd), "the drain's end"
	if end == nil {
		end, endName = a.c.Profile(source, probe.ProfileHeap, capture.MomentSteadyEnd), "the steady state's end"
	}
	if base == nil || end == nil {
		hd.err = a.c.ProfileError(source, probe.ProfileHeap, capture.MomentSteadyStart, capture.MomentDrainEnd)
		hd.evidence = "No heap profiles from the start and end of the steady state to diff: " + hd.err + "."
		return hd
	}
	hd.base, hd.end = base.Path, end.Path
	samples, period, err := pprofsite.HeapSamples(base.Data, end.Data)
	if err != nil {
		hd.err = "analysis: " + err.Error()
		hd.evidence = "The heap profiles could not be diffed: " + hd.err + "."
		return hd
	}
	// Each sample is judged by its whole stack: whose growth it is.
	drivers := a.growingPools(source)
	var service []pprofsite.HeapSample
	for _, hs := range samples {
		switch siteOwner(hs.Frames, drivers) {
		case pprofsite.OwnerGenerator:
			hd.generator += max(hs.Bytes, 0)
		case pprofsite.OwnerDriver:
			hd.drivers += max(hs.Bytes, 0)
		case pprofsite.OwnerProbe:
			hd.probe += max(hs.Bytes, 0)
		case pprofsite.OwnerRuntime:
			hd.runtime += max(hs.Bytes, 0)
		default:
			service = append(service, hs)
		}
		hd.total += max(hs.Bytes, 0)
	}
	growth, svc := pprofsite.GrowingSites(service)
	sus := suspectsOf(growth)
	hd.service = svc
	trendNote := ""
	if len(sus) > 0 {
		want := make([]pprofsite.Site, len(sus))
		for i, sp := range sus {
			want[i] = pprofsite.Site{Function: sp.Function, File: sp.File, Line: sp.Line}
		}
		trends, why := siteTrends(a.c.SteadyHeaps(source), drivers, want, a.cacheFillAt(source, m))
		if trends != nil {
			hd.trends = trends
			rankByTrend(sus, trends)
			trendNote = fmt.Sprintf(" Sites are ranked by their own trend over the %d heap profiles of the steady state: those still growing first.", len(a.c.SteadyHeaps(source)))
		} else {
			trendNote = " Sites are ranked by growth only: " + why + "."
		}
	}
	for _, sp := range sus[:min(len(sus), 5)] {
		sp.Profile = end.Path
		hd.suspects = append(hd.suspects, sp)
	}
	hd.evidence = fmt.Sprintf("Heap profiles diffed (%s minus the steady state's start): %s more in use at growing allocation sites", endName, human.Bytes(hd.total))
	if hd.generator > 0 {
		hd.evidence += fmt.Sprintf(", %s of it in soak's own generator (same process)", human.Bytes(hd.generator))
	}
	if hd.drivers > 0 {
		hd.evidence += fmt.Sprintf(", %s in the database drivers while their pools opened connections (%s; bounded by each pool's max)",
			human.Bytes(hd.drivers), strings.Join(drivers, ", "))
	}
	if hd.probe > 0 {
		hd.evidence += fmt.Sprintf(", %s at the sites of soak's own probe and middleware in the service (its snapshot buffers and tables, not the service's code)", human.Bytes(hd.probe))
	}
	if hd.runtime > 0 {
		hd.evidence += fmt.Sprintf(", %s in the Go runtime's own structures (goroutine descriptors and the like, which follow the goroutine count: see the goroutine finding)", human.Bytes(hd.runtime))
	}
	if period > 0 {
		hd.evidence += fmt.Sprintf(" (the profiles sample one allocation per %s allocated%s)", human.Bytes(period), coarseNote(period))
	}
	hd.evidence += "." + trendNote
	return hd
}

// evenSite returns the first suspect whose site still grows at an even
// rate over the steady state's heap profiles (pprofsite.Growing), at
// least rate bytes per second over their second half, and by at least
// bar bytes from the steady state's start to the end profile.
func (hd *heapDiffResult) evenSite(rate, bar float64) (Suspect, bool) {
	for _, sp := range hd.suspects {
		t, ok := hd.trends[pprofsite.Site{Function: sp.Function, File: sp.File, Line: sp.Line}]
		if ok && t.Class == pprofsite.Growing && t.Late >= rate && float64(sp.Value) >= bar {
			return sp, true
		}
	}
	return Suspect{}, false
}

// suspectsOf turns the sites that grew into suspects.
func suspectsOf(gs []pprofsite.Growth) []Suspect {
	out := make([]Suspect, len(gs))
	for i, g := range gs {
		out[i] = Suspect{Function: g.Function, File: g.File, Line: g.Line, Value: g.Value, Unit: g.Unit,
			Share: g.Share, Detail: g.Detail, Stack: g.Stack}
	}
	return out
}

// coarseNote warns when the heap sampling period is the runtime's default,
// coarse for the growth of a short run.
func coarseNote(period int64) string {
	if period < probe.DefaultHeapProfileRate {
		return ""
	}
	return ", the runtime's default: a growth of a few MB rests on few samples; probe.WithHeapProfileRate(16 << 10) in the service refines it"
}

// apply adds the diff's suspects, evidence and next step to f.
func (hd *heapDiffResult) apply(f *Finding) {
	f.Evidence = append(f.Evidence, hd.evidence)
	f.Suspects = hd.suspects
	if len(hd.suspects) == 0 {
		f.NextStep = "Capture heap profiles early and late under load and diff them (" + pprofDiffCommand("", "") + "): the top growing allocation sites are the leak."
		return
	}
	top := hd.suspects[0]
	f.NextStep = fmt.Sprintf("Read %s: what it allocates stays reachable (%s more at the end than at the start of the steady state, after the drain). Compare the profiles: %s. If it is a bounded cache still filling when the load ended, declare it (probe CacheFunc, with its capacity) so its growth is told apart, or soak longer than it takes to fill: growth at an even rate to the end is all one run shows of either.",
		top.Location(), human.Bytes(top.Value), pprofDiffCommand(hd.base, hd.end))
}

// explanation says what the explained growth is.
func (hd *heapDiffResult) explanation() string {
	var parts []string
	if hd.generator > 0 {
		parts = append(parts, "soak's own load generator, which shares this process")
	}
	if hd.drivers > 0 {
		parts = append(parts, "connections the pools opened (bounded by their max)")
	}
	if hd.probe > 0 {
		parts = append(parts, "soak's own probe")
	}
	if hd.runtime > 0 {
		parts = append(parts, "the runtime's own structures, which follow the goroutine count")
	}
	return strings.Join(parts, " and ")
}

// growingPools names the pgx pools and Redis clients of source whose
// connections grew over the steady state, with the driver package whose
// allocation sites that growth explains.
func (a *analyzer) growingPools(source string) []string {
	s := a.c.Timeline.Source(source)
	if s == nil {
		return nil
	}
	first, last := s.First[capture.PhaseSteady], s.Last[capture.PhaseSteady]
	if first == nil || last == nil {
		return nil
	}
	var out []string
	for _, lp := range last.Pools {
		if fp, ok := first.Pool(lp.Name); ok && lp.TotalConns > fp.TotalConns {
			out = append(out, fmt.Sprintf("pgx pool %s %d to %d connections", lp.Name, fp.TotalConns, lp.TotalConns))
		}
	}
	for _, lr := range last.Redis {
		if fr, ok := first.RedisClient(lr.Name); ok && lr.Pool.TotalConns > fr.Pool.TotalConns {
			out = append(out, fmt.Sprintf("Redis %s %d to %d connections", lr.Name, fr.Pool.TotalConns, lr.Pool.TotalConns))
		}
	}
	return out
}

// pprofDiffCommand is the command that shows the heap growth.
func pprofDiffCommand(base, end string) string {
	if base == "" || end == "" {
		return "go tool pprof -sample_index=inuse_space -top -diff_base EARLY_HEAP.pb.gz LATE_HEAP.pb.gz"
	}
	return "`go tool pprof -sample_index=inuse_space -top -diff_base " + base + " " + end + "`"
}

// cacheFillAt returns the declared caches' summed fill (each 0..1 of its
// bound) at a time, from source's last sample at or before it; nil when m
// fitted no cache.
func (a *analyzer) cacheFillAt(source string, m *MemoryFigures) func(time.Time) float64 {
	s := a.c.Timeline.Source(source)
	if m == nil || m.Caches == nil || s == nil {
		return nil
	}
	fills := m.Caches.Caches
	return func(t time.Time) float64 {
		var p *capture.Point
		for i := range s.Points {
			if s.Points[i].Time.After(t) {
				break
			}
			p = &s.Points[i]
		}
		if p == nil {
			return 0
		}
		var sum float64
		for _, c := range fills {
			sum += cacheSize(p, c) / c.Bound
		}
		return sum
	}
}

package compare

import (
	"fmt"
	"math"

	"github.com/soaklab/soak/engine/analysis"
)

// Figure is a server-side figure of both runs, shown beside the checks:
// the detectors judge these (a new finding is a regression); the figures
// say how far they moved.
type Figure struct {
	Name string `json:"name"` // "heap slope", "pool db peak acquired", ...
	Unit string `json:"unit"` // "MB/h", "goroutines", "connections", "s", "ms", "%"
	// Base and New are NaN-free: Has* says whether the run measured it.
	Base    float64 `json:"base"`
	New     float64 `json:"new"`
	HasBase bool    `json:"has_base"`
	HasNew  bool    `json:"has_new"`
}

// Text writes one side of the figure, or "not measured".
func (f *Figure) Text(base bool) string {
	v, ok := f.New, f.HasNew
	if base {
		v, ok = f.Base, f.HasBase
	}
	if !ok {
		return "not measured"
	}
	return fmt.Sprintf("%.4g %s", v, f.Unit)
}

// figureSet collects the figures of one run by name.
type figureSet struct {
	names []string
	units map[string]string
	vals  map[string]float64
}

func (s *figureSet) add(name, unit string, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	if _, ok := s.vals[name]; !ok {
		s.names = append(s.names, name)
	}
	s.units[name], s.vals[name] = unit, v
}

// figuresOf reads a run's system figures from its findings' figures and
// its target rows.
func figuresOf(r *Run) *figureSet {
	s := &figureSet{units: map[string]string{}, vals: map[string]float64{}}
	multi := map[string]bool{}
	for _, f := range r.Findings {
		if f.Source != "" {
			multi[f.Source] = true
		}
	}
	name := func(base, src string) string {
		if len(multi) > 1 && src != "" {
			return base + " [" + src + "]"
		}
		return base
	}
	for _, f := range r.Findings {
		switch {
		case f.Memory != nil:
			s.add(name("heap slope", f.Source), "MB/h", f.Memory.MBPerHour)
		case f.Goroutines != nil:
			s.add(name("goroutines after drain", f.Source), "goroutines", float64(f.Goroutines.AfterDrain))
		case len(f.Pools) > 0:
			for _, p := range f.Pools {
				s.add(name("pool "+p.Name+" peak acquired", f.Source), "connections", float64(p.PeakAcquired))
				s.add(name("pool "+p.Name+" waits", f.Source), "acquires", float64(p.EmptyAcquires))
				s.add(name("pool "+p.Name+" wait time", f.Source), "s", p.WaitSeconds)
			}
		}
	}
	for _, t := range r.System {
		if t.Status == analysis.StatusUnknown || t.Value == 0 && t.Actual == "" {
			continue
		}
		switch {
		case t.Component == "Database" && t.Metric == "Query Latency":
			s.add("query p95", "ms", t.Value)
		case t.Component == "Cache" && t.Metric == "Hit Rate":
			s.add("cache hit rate", "%", 100*t.Value)
		}
	}
	return s
}

// systemFigures pairs the runs' figures: BASE's order, then NEW's own.
func systemFigures(base, new *Run) []Figure {
	b, n := figuresOf(base), figuresOf(new)
	var out []Figure
	seen := map[string]bool{}
	for _, set := range []*figureSet{b, n} {
		for _, name := range set.names {
			if seen[name] {
				continue
			}
			seen[name] = true
			f := Figure{Name: name, Unit: set.units[name]}
			f.Base, f.HasBase = b.vals[name]
			f.New, f.HasNew = n.vals[name]
			out = append(out, f)
		}
	}
	return out
}

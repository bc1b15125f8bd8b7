package report

import (
	"fmt"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
)

// chartsOf builds the server-side series of the analysed run r: one
// series per source (and pool, cache), a point per sample, and the events
// (the phases, then the findings'). r's capture may be nil (no series).
func chartsOf(r *analysis.Result) Charts {
	c0 := r.Capture
	if c0 == nil {
		c0 = &capture.Capture{}
	}
	c := Charts{
		Heap:         Chart{Title: "Live heap after GC", Unit: "MB"},
		Goroutines:   Chart{Title: "Goroutines", Unit: "goroutines"},
		PoolAcquired: Chart{Title: "Pool connections acquired", Unit: "connections"},
		PoolWait:     Chart{Title: "Pool wait time", Unit: "ms waited per second"},
		CacheHitRate: Chart{Title: "Cache hit rate", Unit: "%"},
		RateLimited:  Chart{Title: "Rate-limit hits", Unit: "per second"},
	}
	multi := len(c0.Timeline.Sources) > 1
	name := func(src, what string) string {
		switch {
		case multi && what != "":
			return src + " " + what
		case multi:
			return src
		case what != "":
			return what
		}
		return "service"
	}
	for _, s := range c0.Timeline.Sources {
		heap, gor := Series{Name: name(s.Name, "")}, Series{Name: name(s.Name, "")}
		acq, mx, wait, hit := map[string]*Series{}, map[string]*Series{}, map[string]*Series{}, map[string]*Series{}
		var order, corder []string
		get := func(m map[string]*Series, key, label string) *Series {
			if m[key] == nil {
				m[key] = &Series{Name: name(s.Name, label)}
			}
			return m[key]
		}
		add := func(sr *Series, xy XY) { sr.Points = append(sr.Points, xy) }
		denials := Series{Name: name(s.Name, "limiter denials")}
		for i, p := range s.Points {
			heap.Points = append(heap.Points, XY{p.Time, human.MiB(float64(p.LiveHeapBytes))})
			gor.Points = append(gor.Points, XY{p.Time, float64(p.Goroutines)})
			for _, pp := range p.Pools {
				if acq[pp.Name] == nil {
					order = append(order, pp.Name)
				}
				add(get(acq, pp.Name, "pool "+pp.Name+" acquired"), XY{p.Time, float64(pp.Acquired)})
				add(get(mx, pp.Name, "pool "+pp.Name+" max"), XY{p.Time, float64(pp.Max)})
			}
			if i == 0 {
				continue
			}
			prev := s.Points[i-1]
			dt := p.Time.Sub(prev.Time).Seconds()
			if dt <= 0 {
				continue
			}
			for _, pp := range p.Pools {
				if q := prev.Pool(pp.Name); q != nil {
					add(get(wait, pp.Name, "pool "+pp.Name),
						XY{p.Time, 1000 * (pp.WaitSeconds - q.WaitSeconds) / dt})
				}
			}
			for _, cp := range p.Caches {
				for _, q := range prev.Caches {
					if q.Name != cp.Name {
						continue
					}
					h, m := cp.Hits-min(q.Hits, cp.Hits), cp.Misses-min(q.Misses, cp.Misses)
					if h+m == 0 {
						continue
					}
					if hit[cp.Name] == nil {
						corder = append(corder, cp.Name)
					}
					add(get(hit, cp.Name, fmt.Sprintf("%s (%s)", cp.Name, cp.Kind)), XY{p.Time, 100 * float64(h) / float64(h+m)})
				}
			}
			denials.Points = append(denials.Points, XY{p.Time, float64(p.RateLimited-min(prev.RateLimited, p.RateLimited)) / dt})
		}
		c.Heap.Series = append(c.Heap.Series, heap)
		c.Goroutines.Series = append(c.Goroutines.Series, gor)
		for _, n := range order {
			c.PoolAcquired.Series = append(c.PoolAcquired.Series, *acq[n], *mx[n])
			if wait[n] != nil {
				c.PoolWait.Series = append(c.PoolWait.Series, *wait[n])
			}
		}
		for _, n := range corder {
			c.CacheHitRate.Series = append(c.CacheHitRate.Series, *hit[n])
		}
		c.RateLimited.Series = append(c.RateLimited.Series, denials)
	}
	client := Series{Name: "429s received (client)"}
	var ivs []*engine.Interval
	if r.Engine != nil {
		ivs = r.Engine.Intervals
	}
	for _, iv := range ivs {
		if d := iv.Duration().Seconds(); d > 0 {
			var limited int64
			for i := range iv.Stats {
				limited += iv.Stats[i].RateLimited
			}
			client.Points = append(client.Points, XY{iv.End, float64(limited) / d})
		}
	}
	c.RateLimited.Series = append([]Series{client}, c.RateLimited.Series...)
	c.Events = chartEvents(r)
	return c
}

// chartEvents are the events marked on the charts of r: the phases (as
// events of Kind "phase"), then the findings' events.
func chartEvents(r *analysis.Result) []analysis.Event {
	var out []analysis.Event
	if r.Capture != nil {
		for _, sp := range r.Capture.Timing {
			out = append(out, analysis.Event{Kind: phaseEvent, Start: sp.Start, End: sp.End, Detail: string(sp.Phase)})
		}
	}
	for _, f := range r.Findings {
		out = append(out, f.Events...)
	}
	return out
}

package stage

import (
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis/poolwait"
	"github.com/soaklab/soak/engine/capture"
)

// Server is a probe source's figures over a stage's judged span.
type Server struct {
	Source string `json:"source"`
	// Samples counts the source's samples in the span; the figures below
	// are 0 without one.
	Samples int `json:"samples"`
	// HeapFirst and HeapLast are the live heap (bytes, after the last
	// GC) at the span's first and last sample.
	HeapFirst uint64 `json:"heap_first_bytes"`
	HeapLast  uint64 `json:"heap_last_bytes"`
	// Goroutines at the span's first and last sample, and the most.
	GoroutinesFirst int64  `json:"goroutines_first"`
	GoroutinesLast  int64  `json:"goroutines_last"`
	GoroutinesMax   int64  `json:"goroutines_max"`
	Pools           []Pool `json:"pools,omitempty"`
}

// Pool is a pgx pool's figures over a stage's judged span.
type Pool struct {
	Name string `json:"name"`
	Peak int32  `json:"peak"` // most connections acquired at a sample
	Max  int32  `json:"max"`
	// Waits counts the acquires that waited (pgxpool's empty acquires)
	// and WaitSeconds their wait; GaveUp those that waited until their
	// context ended. From the sample before the span to its last.
	Waits       int64   `json:"waits"`
	WaitSeconds float64 `json:"wait_seconds"`
	GaveUp      int64   `json:"gave_up"`
	// Exhausted is the time the pool spent exhausted in the span
	// (engine/analysis/poolwait).
	Exhausted time.Duration `json:"exhausted_ns"`
}

// judgedStart is when the stage's figures start.
func (s *Stage) judgedStart() time.Time { return s.Start.Add(s.Settle) }

// intervals returns the intervals whose middle lies in the judged span.
func (s *Stage) intervals(ivs []*engine.Interval) []*engine.Interval {
	var out []*engine.Interval
	from := s.judgedStart()
	for _, iv := range ivs {
		mid := iv.Start.Add(iv.End.Sub(iv.Start) / 2)
		if !mid.Before(from) && mid.Before(s.End) {
			out = append(out, iv)
		}
	}
	return out
}

// measure fills the client's and the sources' figures.
func (s *Stage) measure(ivs []*engine.Interval, srcs []*capture.SourceTimeline) {
	if s.Judged <= 0 {
		return
	}
	in := s.intervals(ivs)
	var secs float64
	for _, iv := range in {
		secs += iv.Duration().Seconds()
		s.RunningUsers = max(s.RunningUsers, iv.MaxUsers, iv.Users)
	}
	if len(in) > 0 {
		t := engine.Window(in...).Total()
		s.Requests, s.Failures, s.RateLimited = t.Requests, t.Failures(), t.RateLimited
		if secs > 0 {
			s.RPS = float64(t.Requests) / secs
		}
		if t.Requests > 0 {
			s.ErrorRate = float64(s.Failures) / float64(t.Requests)
			s.P50 = time.Duration(t.Percentile(50)) * time.Microsecond
			s.P95 = time.Duration(t.Percentile(95)) * time.Microsecond
			s.P99 = time.Duration(t.Percentile(99)) * time.Microsecond
		}
	}
	for _, src := range srcs {
		s.Servers = append(s.Servers, s.server(src))
	}
}

// points returns src's samples in the judged span and the one before it
// (nil when none), the base of the counters' differences.
func (s *Stage) points(src *capture.SourceTimeline) (pts []capture.Point, before *capture.Point) {
	from := s.judgedStart()
	for i := range src.Points {
		p := &src.Points[i]
		switch {
		case p.Time.Before(from):
			before = p
		case p.Time.Before(s.End):
			pts = append(pts, *p)
		}
	}
	return pts, before
}

// server measures src over the judged span.
func (s *Stage) server(src *capture.SourceTimeline) Server {
	pts, before := s.points(src)
	sv := Server{Source: src.Name, Samples: len(pts)}
	if len(pts) == 0 {
		return sv
	}
	first, last := &pts[0], &pts[len(pts)-1]
	sv.HeapFirst, sv.HeapLast = first.LiveHeapBytes, last.LiveHeapBytes
	sv.GoroutinesFirst, sv.GoroutinesLast = first.Goroutines, last.Goroutines
	base := first
	if before != nil {
		base = before
	}
	for i := range pts {
		sv.GoroutinesMax = max(sv.GoroutinesMax, pts[i].Goroutines)
	}
	for _, lp := range last.Pools {
		pl := Pool{Name: lp.Name, Max: lp.Max}
		for i := range pts {
			if pp := pts[i].Pool(lp.Name); pp != nil {
				pl.Peak = max(pl.Peak, pp.Acquired)
			}
		}
		if bp := base.Pool(lp.Name); bp != nil {
			pl.Waits = max(lp.EmptyAcquire-bp.EmptyAcquire, 0)
			pl.WaitSeconds = max(lp.WaitSeconds-bp.WaitSeconds, 0)
			pl.GaveUp = max(lp.Canceled-bp.Canceled, 0)
		}
		withBase := pts
		if before != nil {
			withBase = append([]capture.Point{*before}, pts...)
		}
		pl.Exhausted = poolwait.Exhausted(withBase, lp.Name)
		sv.Pools = append(sv.Pools, pl)
	}
	return sv
}

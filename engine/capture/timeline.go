package capture

import (
	"time"

	"github.com/soaklab/soak/probe"
)

// Sample is one poll of one source: the snapshot, or why there is none.
// It is what a [RecordWriter] appends to disk as it arrives.
type Sample struct {
	Source string `json:"source"`
	// Time is when the answer arrived, on the engine's clock (wall time,
	// as engine.Interval.Start): the probe's own Snapshot.Time may be on
	// another machine's clock.
	Time  time.Time `json:"time"`
	Phase Phase     `json:"phase"`
	// RTT is how long the poll took.
	RTT time.Duration `json:"rtt_ns"`
	// Snapshot is nil when the poll failed; Error says why (secrets
	// removed).
	Snapshot *probe.Snapshot `json:"snapshot,omitempty"`
	Error    string          `json:"error,omitempty"`
}

// DefaultMaxPoints bounds the points kept per source: 4 hours at the
// default 2 s poll interval.
const DefaultMaxPoints = 7200

// Timeline is the probe side of a run: for every source, the trended
// [Point]s of its samples and the full snapshots at the first and last
// sample of each phase. Add samples in time order. Memory is bounded by
// MaxPoints per source whatever the run's length: past it, every other
// point is dropped and later samples are kept at the coarser stride.
//
// The zero value is ready to use. A Timeline is not safe for concurrent
// use; the runner owns it until runner.Soak returns.
type Timeline struct {
	// MaxPoints bounds the points per source; 0 means DefaultMaxPoints,
	// minimum 16.
	MaxPoints int               `json:"max_points,omitempty"`
	Sources   []*SourceTimeline `json:"sources"`
}

// SourceTimeline is one source's samples.
type SourceTimeline struct {
	Name   string  `json:"name"`
	Points []Point `json:"points"`
	// Polls counts samples; Failed those without a snapshot.
	Polls  int `json:"polls"`
	Failed int `json:"failed"`
	// FirstError and LastError are the first and last poll errors.
	FirstError string `json:"first_error,omitempty"`
	LastError  string `json:"last_error,omitempty"`
	// First and Last hold the full snapshot of the first and last
	// successful sample of each phase.
	First map[Phase]*probe.Snapshot `json:"first,omitempty"`
	Last  map[Phase]*probe.Snapshot `json:"last,omitempty"`
	// LastTime is when Last[phase] arrived, on the engine's clock.
	LastTime  map[Phase]time.Time `json:"last_time,omitempty"`
	FirstTime map[Phase]time.Time `json:"first_time,omitempty"`

	stride, skipped int
}

// Add records s.
func (t *Timeline) Add(s *Sample) {
	st := t.Source(s.Source)
	if st == nil {
		st = &SourceTimeline{Name: s.Source, First: map[Phase]*probe.Snapshot{}, Last: map[Phase]*probe.Snapshot{},
			FirstTime: map[Phase]time.Time{}, LastTime: map[Phase]time.Time{}, stride: 1}
		t.Sources = append(t.Sources, st)
	}
	st.Polls++
	if s.Snapshot == nil {
		st.Failed++
		if st.FirstError == "" {
			st.FirstError = s.Error
		}
		st.LastError = s.Error
		return
	}
	if st.First[s.Phase] == nil {
		st.First[s.Phase], st.FirstTime[s.Phase] = s.Snapshot, s.Time
	}
	st.Last[s.Phase], st.LastTime[s.Phase] = s.Snapshot, s.Time
	st.skipped++
	if st.skipped < st.stride {
		return
	}
	st.skipped = 0
	limit := max(t.MaxPoints, 16)
	if t.MaxPoints == 0 {
		limit = DefaultMaxPoints
	}
	if len(st.Points) >= limit {
		half := st.Points[:0]
		for i := 0; i < len(st.Points); i += 2 {
			half = append(half, st.Points[i])
		}
		clear(st.Points[len(half):])
		st.Points = half
		st.stride *= 2
	}
	st.Points = append(st.Points, NewPoint(s.Time, s.Phase, s.Snapshot))
}

// Source returns the timeline of the source called name, or nil.
func (t *Timeline) Source(name string) *SourceTimeline {
	for _, s := range t.Sources {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// In returns the points of phase p, in time order (shared, not copied).
func (s *SourceTimeline) In(p Phase) []Point {
	lo, hi := -1, -1
	for i := range s.Points {
		if s.Points[i].Phase == p {
			if lo < 0 {
				lo = i
			}
			hi = i + 1
		}
	}
	if lo < 0 {
		return nil
	}
	return s.Points[lo:hi]
}

// Reachable reports whether at least one poll of the source answered.
func (s *SourceTimeline) Reachable() bool { return s.Polls > s.Failed }

// Latest returns the last snapshot of the latest phase, in phase order,
// that has one, and that phase; nil and "" when no poll answered.
func (s *SourceTimeline) Latest() (*probe.Snapshot, Phase) {
	for i := len(Phases) - 1; i >= 0; i-- {
		if snap := s.Last[Phases[i]]; snap != nil {
			return snap, Phases[i]
		}
	}
	return nil, ""
}

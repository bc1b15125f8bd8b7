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
	MaxPoints int `json:"max_points,omitempty"`
	// Sources has one timeline per source and probe instance: a source
	// whose probe answered with another instance id (the service
	// restarted) has one timeline per instance, in order (see
	// [Restart]), so that nothing computed from a timeline mixes two
	// processes.
	Sources []*SourceTimeline `json:"sources"`
	// Restarts lists every change of instance, in time order.
	Restarts []Restart `json:"restarts,omitempty"`
}

// SourceTimeline is the samples of one source's probe instance: the
// whole run's, unless the instance changed (see [Timeline.Sources]).
type SourceTimeline struct {
	// Name is the source's name (Sample.Source) for its first instance;
	// a later instance is "<source> after restart N" ([InstanceName]).
	Name string `json:"name"`
	// Polled is the source polled (Sample.Source); Instance is the
	// probe's instance id (probe.Snapshot.InstanceID), "" until one
	// answered; Restart is 0 for the first instance, N after the Nth
	// restart.
	Polled   string  `json:"polled,omitempty"`
	Instance string  `json:"instance,omitempty"`
	Restart  int     `json:"restart,omitempty"`
	Points   []Point `json:"points"`
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

// Add records s, in the timeline of its source's current instance: a
// snapshot from another instance than the source's last one starts a new
// timeline and records a [Restart].
func (t *Timeline) Add(s *Sample) {
	st := t.current(s.Source)
	if st == nil {
		st = t.newSource(s.Source, 0)
	}
	if s.Snapshot != nil {
		st = t.instance(st, s)
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

func (t *Timeline) newSource(polled string, restart int) *SourceTimeline {
	st := &SourceTimeline{Name: InstanceName(polled, restart), Polled: polled, Restart: restart,
		First: map[Phase]*probe.Snapshot{}, Last: map[Phase]*probe.Snapshot{},
		FirstTime: map[Phase]time.Time{}, LastTime: map[Phase]time.Time{}, stride: 1}
	t.Sources = append(t.Sources, st)
	return st
}

// Source returns the timeline called name (a source's first instance, or
// "<source> after restart N"), or nil.
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

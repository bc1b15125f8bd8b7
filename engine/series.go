package engine

// DefaultMaxIntervals is the in-memory series bound used when
// Plan.MaxIntervals (or Series.Max) is zero: 30 minutes at 1 s.
const DefaultMaxIntervals = 1800

// Series is a bounded time series of intervals, as [Run] keeps it in
// memory. Add intervals in time order; while they fit in Max they are kept
// as they are. When one more would exceed Max, every pair of neighbours is
// merged ([Window]), halving the count and doubling the width, and later
// intervals are merged in groups of the new width before they are kept. So
// the series always covers the whole run with intervals of one width (a
// power-of-two multiple of the base interval), and its memory is bounded by
// Max whatever the run's length: a 24-hour run at 1 s with Max 1800 ends
// with 1350 intervals of 64 s.
//
// Counts and histograms are merged exactly, so totals and windows computed
// from a coarsened series are the same as from the full one, at the
// coarser time resolution.
//
// The zero value is ready to use, with Max = [DefaultMaxIntervals]. A
// Series is not safe for concurrent use.
type Series struct {
	Max       int // bound on kept intervals; 0 means DefaultMaxIntervals, minimum 2
	MaxErrors int // bound on distinct errors per merged interval; 0 means DefaultMaxErrors

	kept    []*Interval
	width   int       // base intervals per kept interval, 1 at first
	pending *Interval // the group being filled at the current width
	total   *Interval // every interval merged
}

// Add appends iv, the next interval in time. The series keeps iv itself
// (not a copy) while the width is 1; do not modify iv afterwards.
func (s *Series) Add(iv *Interval) {
	if s.width == 0 {
		s.width = 1
	}
	if s.total == nil {
		s.total = &Interval{Seq: iv.Seq}
	}
	s.total.appendSpan(iv, s.MaxErrors)
	s.push(iv)
}

// push adds a span of at most the current width.
func (s *Series) push(iv *Interval) {
	if s.width == 1 {
		s.place(iv)
		return
	}
	if s.pending == nil {
		s.pending = &Interval{Seq: iv.Seq}
	}
	s.pending.appendSpan(iv, s.MaxErrors)
	if s.pending.Span >= s.width {
		g := s.pending
		s.pending = nil
		s.place(g)
	}
}

// place keeps g, a full group at the current width, coarsening first when
// the series is full (g then becomes half a group of the new width).
func (s *Series) place(g *Interval) {
	limit := max(s.Max, 2)
	if s.Max == 0 {
		limit = DefaultMaxIntervals
	}
	if len(s.kept) < limit {
		s.kept = append(s.kept, g)
		return
	}
	s.coarsen()
	s.push(g)
}

// coarsen merges neighbours pairwise and doubles the width; an odd last
// interval becomes the pending group.
func (s *Series) coarsen() {
	half := make([]*Interval, 0, (len(s.kept)+1)/2)
	for i := 0; i < len(s.kept); i += 2 {
		w := &Interval{Seq: s.kept[i].Seq}
		w.appendSpan(s.kept[i], s.MaxErrors)
		if i+1 < len(s.kept) {
			w.appendSpan(s.kept[i+1], s.MaxErrors)
			half = append(half, w)
		} else {
			s.pending = w
		}
	}
	clear(s.kept)
	s.kept = half
	s.width *= 2
}

// Intervals returns the kept intervals in time order, followed by the
// partly filled group, if any. The slice is fresh; the intervals are
// shared with the series.
func (s *Series) Intervals() []*Interval {
	out := make([]*Interval, 0, len(s.kept)+1)
	out = append(out, s.kept...)
	if s.pending != nil {
		out = append(out, s.pending)
	}
	return out
}

// Width is the number of base intervals each kept interval covers.
func (s *Series) Width() int { return max(s.width, 1) }

// Total returns every added interval merged into one span (nil before the
// first Add). It is exact even after coarsening. It is shared with the
// series: do not modify it.
func (s *Series) Total() *Interval { return s.total }

// Result returns the Result of a run described by info whose intervals,
// in time order, were added to s, as [Run] builds its own: for a caller
// that merges intervals as they come (a distributed run's coordinator)
// and must keep its memory bounded however long the run. s is shared
// with the Result: add nothing to it afterwards.
func (s *Series) Result(info RunInfo) *Result { return newResult(info, s) }

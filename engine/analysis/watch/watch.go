package watch

import (
	"fmt"
	"math"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/probe"
)

// The live rules' constants (see [Watcher]).
const (
	// Streak is how many polls in a row must show holds past the
	// leak threshold, or a pool at its max with canceled acquires, before
	// a signal: one poll may catch a single slow request.
	Streak = 2
	// Block is the samples whose minimum is one point of the
	// goroutine rule: the minimum over a block drops what requests in
	// flight add for an instant.
	Block = 3
	// Rises is how many blocks in a row must stand above every
	// level before them: goroutines still rising, not a burst.
	Rises = 3
	// MinGoroutines is the least growth, above what Little's law
	// explains, that the goroutine rule reports; GrowthShare of
	// the goroutines at the steady state's start raises it.
	MinGoroutines = 20
	GrowthShare   = 0.05
)

// Signal is what one sample shows that calls for an early warning,
// before it is located: [Watcher.Observe] raises it on every poll the
// condition holds; engine/runner locates it (the probe's leak report and
// goroutine profile say where) and turns it into a capture.Warning once
// per kind, source and place.
type Signal struct {
	Kind   capture.WarningKind
	Source string
	// Pool names the pool of a WarnPoolTimeouts signal.
	Pool string
	// What says what was seen, with its figures.
	What string
	// Time is the sample's (engine clock).
	Time time.Time
	// Threshold is the probe's leak threshold (WarnHeld).
	Threshold time.Duration
}

// Watcher applies the live rules to a run's samples as they arrive, per
// source, in constant memory per source and pool:
//
//   - WarnHeld: the snapshot counts holds (connections, queries with
//     rows not closed, PubSub connections) older than the probe's leak
//     threshold (probe.LeakSummary.Suspects) on Streak polls in a
//     row.
//   - WarnPoolTimeouts: a pool has every connection acquired (acquired
//     = max) and its canceled acquires (pgxpool's CanceledAcquireCount:
//     waits that gave up, usually at the request's timeout) rose since
//     the poll before, on Streak polls in a row.
//   - WarnGoroutines, in the steady state only (the ramp adds connections
//     and their goroutines): each sample's excess is its goroutines minus
//     the requests in flight at the same instant (the probe's gauge: what
//     Little's law, arrival rate x latency, gives on average, and the
//     warning quotes). The average over the poll is not subtracted: under
//     bursty load it differs from the instant's by more than a leak's
//     growth. The excess's minimum over each block of
//     Block samples is its level. The last Rises levels must
//     all exceed every level before them, the last be the highest yet
//     and exceed them by at least max(MinGoroutines,
//     GrowthShare x the goroutines at the steady state's start,
//     twice the mean range of the excess within a block: its noise). A pool of
//     workers started once is one step smaller than that, then flat. A
//     burst that comes and goes falls back before it stood that high
//     for Rises blocks, and is no higher than before when it comes
//     again.
//
// A source whose probe restarted (another instance id) starts over. Not
// safe for concurrent use: the runner calls it from its polling goroutine.
type Watcher struct {
	sources map[string]*watchState
}

// NewWatcher returns a Watcher with no sample seen.
func NewWatcher() *Watcher { return &Watcher{sources: map[string]*watchState{}} }

// watchState is one source's rules' memory.
type watchState struct {
	instance string
	prev     *probe.Snapshot
	held     int              // polls in a row with holds past the threshold
	pools    map[string]int   // polls in a row at max with canceled acquires, by pool
	block    []float64        // the current block's excesses
	minima   []float64        // the last Rises+1 block minima
	peak     float64          // the highest block minimum before the last Rises
	ranges   float64          // the blocks' ranges (max - min of their excesses), summed
	blocks   int              // blocks summed in ranges
	firstG   int64            // goroutines at the first steady sample
	started  bool             // the first steady block is complete
	steadyN  int              // steady samples seen
	counted  map[string]int64 // canceled acquires at the previous poll, by pool
}

// Observe applies the rules to s and returns the signals it raises (at
// most one per kind and pool). A sample without a snapshot raises none
// and breaks no streak.
func (w *Watcher) Observe(s *capture.Sample) []Signal {
	if s == nil || s.Snapshot == nil {
		return nil
	}
	snap := s.Snapshot
	st := w.sources[s.Source]
	if st == nil || st.instance != snap.InstanceID {
		st = &watchState{instance: snap.InstanceID, pools: map[string]int{}, counted: map[string]int64{}}
		w.sources[s.Source] = st
	}
	var out []Signal
	if sig, ok := st.heldRule(s); ok {
		out = append(out, sig)
	}
	out = append(out, st.poolRule(s)...)
	if sig, ok := st.goroutineRule(s); ok {
		out = append(out, sig)
	}
	st.prev = snap
	return out
}

func (st *watchState) heldRule(s *capture.Sample) (Signal, bool) {
	l := s.Snapshot.Leaks
	if l.Suspects <= 0 {
		st.held = 0
		return Signal{}, false
	}
	st.held++
	if st.held < Streak {
		return Signal{}, false
	}
	thr := time.Duration(l.ThresholdSeconds * float64(time.Second))
	return Signal{Kind: capture.WarnHeld, Source: s.Source, Time: s.Time, Threshold: thr,
		What: fmt.Sprintf("%d held longer than the leak threshold (%s), on %d polls in a row",
			l.Suspects, thr, st.held)}, true
}

func (st *watchState) poolRule(s *capture.Sample) []Signal {
	var out []Signal
	for i := range s.Snapshot.Pools {
		p := &s.Snapshot.Pools[i]
		before, seen := st.counted[p.Name]
		st.counted[p.Name] = p.CanceledAcquireCount
		if !seen || p.MaxConns <= 0 || p.AcquiredConns < p.MaxConns || p.CanceledAcquireCount <= before {
			st.pools[p.Name] = 0
			continue
		}
		st.pools[p.Name]++
		if st.pools[p.Name] < Streak {
			continue
		}
		out = append(out, Signal{Kind: capture.WarnPoolTimeouts, Source: s.Source, Pool: p.Name, Time: s.Time,
			What: fmt.Sprintf("pool %s at its max (%d/%d acquired) while %d acquires gave up waiting since the last poll (%d in all), on %d polls in a row",
				p.Name, p.AcquiredConns, p.MaxConns, p.CanceledAcquireCount-before, p.CanceledAcquireCount, st.pools[p.Name])})
	}
	return out
}

func (st *watchState) goroutineRule(s *capture.Sample) (Signal, bool) {
	if s.Phase != capture.PhaseSteady {
		return Signal{}, false
	}
	snap := s.Snapshot
	inFlight := float64(snap.HTTP.InFlight)
	little, _ := littleL(st.prev, snap)
	g := snap.Runtime.Goroutines
	if st.steadyN == 0 {
		st.firstG = g
	}
	st.steadyN++
	st.block = append(st.block, float64(g)-inFlight)
	if len(st.block) < Block {
		return Signal{}, false
	}
	m, hi := st.block[0], st.block[0]
	for _, x := range st.block[1:] {
		m, hi = math.Min(m, x), math.Max(hi, x)
	}
	st.block = st.block[:0]
	st.ranges += hi - m
	st.blocks++
	if !st.started {
		st.started, st.peak = true, m
		st.minima = append(st.minima[:0], m)
		return Signal{}, false
	}
	st.minima = append(st.minima, m)
	if len(st.minima) > Rises+1 {
		st.peak = math.Max(st.peak, st.minima[0])
		st.minima = st.minima[1:]
	}
	if len(st.minima) < Rises+1 {
		return Signal{}, false
	}
	// The last Rises levels all stand above every level before
	// them, the last is the highest yet, and it is need above them.
	before := math.Max(st.peak, st.minima[0])
	for _, x := range st.minima[1:] {
		if x <= before || x > m {
			return Signal{}, false
		}
	}
	growth := m - before
	noise := st.ranges / float64(st.blocks)
	need := math.Max(math.Max(MinGoroutines, GrowthShare*float64(st.firstG)), 2*noise)
	if growth < need {
		return Signal{}, false
	}
	return Signal{Kind: capture.WarnGoroutines, Source: s.Source, Time: s.Time,
		What: fmt.Sprintf("goroutines rose %.0f beyond any level of the steady state before, more than requests in flight explain (%d at its start, %d now; in flight now %.0f, %.1f on average by Little's law), still rising over the last %d blocks of %d polls",
			growth, st.firstG, g, inFlight, little, Rises, Block)}, true
}

// littleL is the mean number of requests in flight between two snapshots
// of one probe by Little's law: the server time of the requests served
// between them (their count x mean latency) over the time between them.
func littleL(a, b *probe.Snapshot) (float64, bool) {
	if a == nil || b == nil || a.InstanceID != b.InstanceID {
		return 0, false
	}
	dt := b.Time.Sub(a.Time).Seconds()
	if dt <= 0 {
		return 0, false
	}
	var us int64
	for i := range b.HTTP.Routes {
		us += b.HTTP.Routes[i].Latency.SumMicros
	}
	for i := range a.HTTP.Routes {
		us -= a.HTTP.Routes[i].Latency.SumMicros
	}
	if us < 0 {
		return 0, false
	}
	return float64(us) / 1e6 / dt, true
}

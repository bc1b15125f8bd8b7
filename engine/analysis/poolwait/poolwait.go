// Package poolwait splits a pgx pool's probe samples into the poll
// intervals between them and says which were exhausted: an acquire waited,
// or gave up waiting, with the pool at its max; and whether that cleared
// once the load stopped ([Cleared]). engine/analysis's
// pool-exhaustion detector, its Peak Pool Size row and its per-stage
// checks (engine/analysis/stage) all read this one definition.
//
//	for _, iv := range poolwait.Intervals(timeline.In(capture.PhaseSteady), "db") {
//		if iv.Exhausted() {
//			fmt.Println(iv.Start, iv.DT, iv.Empty) // when, how long, how many waited
//		}
//	}
//
// Every function is pure and safe for concurrent use.
package poolwait

import (
	"time"

	"github.com/soaklab/soak/engine/capture"
)

// Interval is what one pgx pool did between two consecutive samples.
type Interval struct {
	Start, End time.Time
	DT         time.Duration
	// Empty and Canceled are pgxpool's acquires that waited and got a
	// connection, and those that waited until their context ended; Wait
	// is the empty acquires' total wait (s); Acquires the successful
	// acquires.
	Empty, Canceled, Acquires int64
	Wait                      float64
	// AtMax: the pool had every connection it may open at both samples,
	// or every connection acquired at one of them. Held: every
	// connection acquired at both samples. Queued: acquires were waiting
	// at a sample with every connection acquired (the tracer's gauge).
	AtMax, Held, Queued bool
	// PeakHeld is the most connections held at once in the interval, by
	// the tracer's count at every acquire (capture.PoolPoint's
	// HeldAtAcquire), at least the acquired count at either sample and
	// at most the pool's max; Counted says the probe counted them (else
	// PeakHeld is 0).
	PeakHeld int32
	Counted  bool
}

// Exhausted reports an interval in which an acquire waited, or gave up
// waiting, with the pool at its max: the waits were for a release, not for
// a new connection to be opened.
func (iv *Interval) Exhausted() bool {
	return iv.AtMax && (iv.Empty > 0 || iv.Canceled > 0 || iv.Queued)
}

// Intervals splits the samples pts of pool name into intervals.
func Intervals(pts []capture.Point, name string) []Interval {
	var out []Interval
	for i := 1; i < len(pts); i++ {
		prev, cur := pts[i-1].Pool(name), pts[i].Pool(name)
		if prev == nil || cur == nil {
			continue
		}
		dt := pts[i].Time.Sub(pts[i-1].Time)
		if dt <= 0 {
			continue
		}
		m := cur.Max
		iv := Interval{Start: pts[i-1].Time, End: pts[i].Time, DT: dt,
			Empty:    max(cur.EmptyAcquire-prev.EmptyAcquire, 0),
			Canceled: max(cur.Canceled-prev.Canceled, 0),
			Acquires: max(cur.AcquireCount-prev.AcquireCount, 0),
			Wait:     max(cur.WaitSeconds-prev.WaitSeconds, 0),
		}
		if m > 0 {
			iv.AtMax = prev.Total >= m && cur.Total >= m || prev.Acquired >= m || cur.Acquired >= m
			iv.Held = prev.Acquired >= m && cur.Acquired >= m
			iv.Queued = cur.Waiting > 0 && cur.Acquired >= m || prev.Waiting > 0 && prev.Acquired >= m
		}
		if cur.HeldAtAcquire != nil {
			iv.Counted = true
			iv.PeakHeld = max(prev.Acquired, cur.Acquired, grewTo(prev.HeldAtAcquire, cur.HeldAtAcquire))
			if m > 0 {
				iv.PeakHeld = min(iv.PeakHeld, m)
			}
		}
		out = append(out, iv)
	}
	return out
}

// grewTo returns the highest index whose count grew from prev to cur (a
// missing entry counts 0), or 0.
func grewTo(prev, cur []uint64) int32 {
	for j := len(cur) - 1; j > 0; j-- {
		var was uint64
		if j < len(prev) {
			was = prev[j]
		}
		if cur[j] > was {
			return int32(j)
		}
	}
	return 0
}

// PeakHeld is the most connections of pool name held at once over pts,
// by the tracer's count at every acquire (see [Interval]); counted is
// false when no interval had the count (a probe without it), and peak is
// then 0.
func PeakHeld(pts []capture.Point, name string) (peak int32, counted bool) {
	for _, iv := range Intervals(pts, name) {
		if iv.Counted {
			peak, counted = max(peak, iv.PeakHeld), true
		}
	}
	return peak, counted
}

// Exhausted is the time pool name spent exhausted over pts.
func Exhausted(pts []capture.Point, name string) time.Duration {
	var d time.Duration
	for _, iv := range Intervals(pts, name) {
		if iv.Exhausted() {
			d += iv.DT
		}
	}
	return d
}

// Peak is the peak of pool name over pts: the most connections acquired
// at a sample, or its max when an acquire waited with the pool at its max
// between two samples (every connection was acquired then, though no
// sample saw it); and the time the pool spent at its max (held there
// across an interval, or exhausted in it). The Connection Pool row, the
// Peak Pool Size row and the pool-exhaustion finding all read it.
func Peak(pts []capture.Point, name string) (peak, maxConns int32, atMax time.Duration) {
	for i := range pts {
		if pp := pts[i].Pool(name); pp != nil {
			peak, maxConns = max(peak, pp.Acquired), max(maxConns, pp.Max)
		}
	}
	for _, iv := range Intervals(pts, name) {
		if iv.Held || iv.Exhausted() {
			atMax += iv.DT
		}
		if iv.Exhausted() {
			peak = max(peak, maxConns)
		}
	}
	return peak, maxConns, atMax
}

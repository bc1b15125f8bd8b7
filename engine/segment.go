package engine

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
)

// ErrSegment wraps every error of [ParseSegment] and [Split].
var ErrSegment = errors.New("engine: bad segment")

// Bounds of a split (see [Segment]).
const (
	// MaxParts bounds the parts of a split.
	MaxParts = 1000
	// maxSplitWork bounds the period times the parts: the work of
	// computing a split's interleaving once, at parse time.
	maxSplitWork = 10_000_000
)

// Segment is one engine's part of a plan that several engines run at
// once (a distributed run), as k6's execution segments are. A plan's
// closed-model users form one spawn sequence (the class mix: the n-th
// user of a run is always of the same class) and its open-model arrivals
// one arrival sequence; both are numbered from 0, and each part of a
// split owns some of the positions. An engine that runs a segment
// ([Plan.Segment]) starts the users and releases the arrivals at its own
// positions only, of the class and at the time the whole plan gives them,
// so the parts together run exactly the plan one engine would run: 200
// users at 70/25/4/1 over 4 parts are 140/50/8/2 in total at every step
// of a ramp, with no rounding drift, and the arrivals of an open model
// add up to the plan's, stage by stage.
//
// The interleaving: position p goes to the part furthest below its share
// of the first p+1 positions (ties to the earlier part), computed in
// integer arithmetic over the split's period (the fractions' common
// denominator). So every part holds within one of its share of any
// prefix of positions, the parts hold each position exactly once, and n
// equal parts take every n-th position in turn (round robin). The
// interleaving repeats every period.
//
// User numbers (User.ID, the user label) are the whole plan's
// numbers in the closed model, and the segment's own positions of the
// sequence of user numbers in the open model, so no two parts give the
// same number to two users, and per-user data (engine/scenario's
// per_user and round_robin orders) is partitioned without overlap.
//
// The zero value is the whole plan (one part of one). A Segment is
// immutable and safe for concurrent use.
type Segment struct {
	s     *split // nil: the whole plan
	index int    // 0-based
}

// split is the shared interleaving of a list of parts.
type split struct {
	shares []int64   // per part, summing to period
	period int64     // common denominator
	equal  bool      // every share is 1: written "i/n"
	owner  []int32   // part of each position in [0, period)
	own    [][]int32 // per part, its positions in [0, period), ascending
}

// ParseSegment parses a segment: "i/n", the i-th of n equal parts (1 <=
// i <= n <= MaxParts), or "i:f1,f2,...", the i-th of parts of the given
// fractions ("2:1/2,1/4,1/4" is the second, a quarter), which must add
// up to 1 exactly. "1/1" is the whole plan.
func ParseSegment(s string) (Segment, error) {
	s = strings.TrimSpace(s)
	if is, list, ok := strings.Cut(s, ":"); ok {
		i, err := strconv.Atoi(strings.TrimSpace(is))
		if err != nil {
			return Segment{}, fmt.Errorf("%w: %q: %q before the colon is not a part number", ErrSegment, s, is)
		}
		all, err := Split(strings.Split(list, ",")...)
		if err != nil {
			return Segment{}, err
		}
		if i < 1 || i > len(all) {
			return Segment{}, fmt.Errorf("%w: %q: part %d of %d parts", ErrSegment, s, i, len(all))
		}
		return all[i-1], nil
	}
	is, ns, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(is))
	n, err2 := strconv.Atoi(strings.TrimSpace(ns))
	switch {
	case !ok || err1 != nil || err2 != nil:
		return Segment{}, fmt.Errorf("%w: %q is not i/n (the i-th of n equal parts, e.g. 2/4) or i:FRACTIONS (e.g. 2:1/2,1/4,1/4)", ErrSegment, s)
	case n < 1 || n > MaxParts:
		return Segment{}, fmt.Errorf("%w: %q: %d parts; from 1 to %d", ErrSegment, s, n, MaxParts)
	case i < 1 || i > n:
		return Segment{}, fmt.Errorf("%w: %q: part %d of %d; parts are numbered from 1", ErrSegment, s, i, n)
	}
	return EqualParts(n)[i-1], nil
}

// EqualParts returns the n segments of a split in n equal parts, in
// order ("1/n" ... "n/n"). It panics unless 1 <= n <= MaxParts: a
// programmer's error (ParseSegment checks a user's input).
func EqualParts(n int) []Segment {
	if n < 1 || n > MaxParts {
		panic(fmt.Sprintf("engine: EqualParts(%d): want 1..%d", n, MaxParts))
	}
	shares := make([]int64, n)
	for i := range shares {
		shares[i] = 1
	}
	return newSplit(shares, true)
}

// Split returns the segments of a split into parts of the given fractions
// ("1/2", "1/4", "0.25", "1"), in order. The fractions must be positive
// and add up to 1 exactly; there may be at most MaxParts of them, and
// their common denominator times their count at most 10,000,000.
func Split(fractions ...string) ([]Segment, error) {
	if len(fractions) == 0 || len(fractions) > MaxParts {
		return nil, fmt.Errorf("%w: %d fractions; from 1 to %d", ErrSegment, len(fractions), MaxParts)
	}
	rats := make([]*big.Rat, len(fractions))
	sum := new(big.Rat)
	den := big.NewInt(1)
	for i, f := range fractions {
		r, ok := new(big.Rat).SetString(strings.TrimSpace(f))
		if !ok || r.Sign() <= 0 {
			return nil, fmt.Errorf("%w: fraction %d, %q, is not a positive fraction such as 1/4 or 0.25", ErrSegment, i+1, f)
		}
		rats[i] = r
		sum.Add(sum, r)
		g := new(big.Int).GCD(nil, nil, den, r.Denom())
		den.Mul(den, new(big.Int).Quo(r.Denom(), g))
		if !den.IsInt64() || den.Int64()*int64(len(fractions)) > maxSplitWork {
			return nil, fmt.Errorf("%w: the fractions' common denominator is too large for %d parts (at most %d in all)",
				ErrSegment, len(fractions), maxSplitWork)
		}
	}
	if sum.Cmp(big.NewRat(1, 1)) != 0 {
		return nil, fmt.Errorf("%w: the fractions add up to %s, not 1", ErrSegment, sum.RatString())
	}
	shares := make([]int64, len(rats))
	equal := true
	for i, r := range rats {
		q := new(big.Int).Mul(r.Num(), new(big.Int).Quo(den, r.Denom()))
		shares[i] = q.Int64()
		equal = equal && shares[i] == 1
	}
	return newSplit(shares, equal), nil
}

// newSplit computes the interleaving of parts of the given shares.
func newSplit(shares []int64, equal bool) []Segment {
	sp := &split{shares: shares, equal: equal, own: make([][]int32, len(shares))}
	for _, w := range shares {
		sp.period += w
	}
	sp.owner = make([]int32, sp.period)
	count := make([]int64, len(shares))
	for p := range sp.period {
		j := 0
		if !equal {
			j = pickDeficit(shares, count, sp.period, p+1)
		} else {
			j = int(p) // round robin, which the rule gives for equal shares
		}
		count[j]++
		sp.owner[p] = int32(j)
		sp.own[j] = append(sp.own[j], int32(p))
	}
	segs := make([]Segment, len(shares))
	for i := range segs {
		segs[i] = Segment{s: sp, index: i}
	}
	if len(segs) == 1 {
		segs[0] = Segment{} // one part of one is the whole plan
	}
	return segs
}

// Whole reports whether s is the whole plan.
func (s Segment) Whole() bool { return s.s == nil }

// Index is the segment's part number, from 1; Parts is the number of
// parts of its split. The whole plan is part 1 of 1.
func (s Segment) Index() int { return s.index + 1 }

// Parts: see [Segment.Index].
func (s Segment) Parts() int {
	if s.s == nil {
		return 1
	}
	return len(s.s.shares)
}

// All returns every segment of s's split, in order; s is one of them.
func (s Segment) All() []Segment {
	if s.s == nil {
		return []Segment{{}}
	}
	out := make([]Segment, len(s.s.shares))
	for i := range out {
		out[i] = Segment{s: s.s, index: i}
	}
	return out
}

// Share returns the segment's fraction of the plan, num/den in lowest
// terms.
func (s Segment) Share() (num, den int64) {
	if s.s == nil {
		return 1, 1
	}
	r := big.NewRat(s.s.shares[s.index], s.s.period)
	return r.Num().Int64(), r.Denom().Int64()
}

// Fraction is the segment's share of the plan as a float (for display
// and for the caps that are rates: MaxRPS).
func (s Segment) Fraction() float64 {
	n, d := s.Share()
	return float64(n) / float64(d)
}

// String writes the segment as ParseSegment reads it: "2/4", or
// "2:1/2,1/4,1/4" for unequal parts; "1/1" for the whole plan.
func (s Segment) String() string {
	switch {
	case s.s == nil:
		return "1/1"
	case s.s.equal:
		return fmt.Sprintf("%d/%d", s.index+1, len(s.s.shares))
	}
	fr := make([]string, len(s.s.shares))
	for i, w := range s.s.shares {
		fr[i] = big.NewRat(w, s.s.period).RatString()
	}
	return fmt.Sprintf("%d:%s", s.index+1, strings.Join(fr, ","))
}

// Owns reports whether position p (>= 0) of a sequence is the segment's.
func (s Segment) Owns(p int64) bool {
	if s.s == nil {
		return true
	}
	return int(s.s.owner[p%s.s.period]) == s.index
}

// Count returns how many of the positions 0..n-1 are the segment's: of
// n users of the whole plan, how many it runs. The Counts of a split's
// segments add up to n.
func (s Segment) Count(n int64) int64 {
	if s.s == nil || n <= 0 {
		return max(n, 0)
	}
	q, r := n/s.s.period, n%s.s.period
	own := s.s.own[s.index]
	k, _ := slices.BinarySearch(own, int32(r))
	return q*int64(len(own)) + int64(k)
}

// Position returns the position of the segment's k-th position (k >= 0,
// counting from 0) in the whole sequence. Position(k) for k = 0, 1, ...
// are the segment's positions in increasing order; no two segments of a
// split share one.
func (s Segment) Position(k int64) int64 {
	if s.s == nil {
		return k
	}
	own := s.s.own[s.index]
	w := int64(len(own))
	return k/w*s.s.period + int64(own[k%w])
}

// describeSegment gives the RunInfo of a segment its share of the plan:
// the users it runs at the plan's largest count, and its fraction of the
// rates (spawn rate, arrival rate, MaxRPS, whose limiter init builds
// from it).
func (r *runner) describeSegment() {
	seg := r.plan.Segment
	if seg.Whole() {
		return
	}
	f := seg.Fraction()
	r.info.Segment = seg.String()
	r.info.Users = int(seg.Count(int64(r.info.Users)))
	r.info.SpawnRate *= f
	r.info.Rate *= f
	r.info.MaxRPS *= f
}

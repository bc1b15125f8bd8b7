package engine

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/quick"
)

func TestParseSegment(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		frac     float64
	}{
		{"1/1", "1/1", 1},
		{"2/4", "2/4", 0.25},
		{" 3/3 ", "3/3", 1.0 / 3},
		{"1:1/2,1/4,1/4", "1:1/2,1/4,1/4", 0.5},
		{"3:0.5,0.25,0.25", "3:1/2,1/4,1/4", 0.25},
		{"2:1/3,1/3,1/3", "2/3", 1.0 / 3}, // equal fractions are i/n
		{"1:1", "1/1", 1},
	} {
		s, err := ParseSegment(tc.in)
		if err != nil {
			t.Errorf("ParseSegment(%q): %v", tc.in, err)
			continue
		}
		if s.String() != tc.want || s.Fraction() != tc.frac {
			t.Errorf("ParseSegment(%q) = %s (%v), want %s (%v)", tc.in, s, s.Fraction(), tc.want, tc.frac)
		}
		back, err := ParseSegment(s.String())
		if err != nil || back.String() != s.String() {
			t.Errorf("%q does not read back: %v, %v", s, back, err)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"", "is not i/n"},
		{"2", "is not i/n"},
		{"0/4", "numbered from 1"},
		{"5/4", "part 5 of 4"},
		{"1/0", "0 parts"},
		{"1/1001", "1001 parts"},
		{"x:1/2,1/2", "not a part number"},
		{"3:1/2,1/2", "part 3 of 2 parts"},
		{"1:1/2,1/3", "add up to 5/6, not 1"},
		{"1:1/2,0,1/2", "fraction 2"},
		{"1:1/2,-1/2,1", "fraction 2"},
		{"1:1/9999991,9999990/9999991", "too large"},
	} {
		_, err := ParseSegment(tc.in)
		if !errors.Is(err, ErrSegment) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseSegment(%q) = %v, want an ErrSegment saying %q", tc.in, err, tc.want)
		}
	}
}

func TestSegmentWhole(t *testing.T) {
	var z Segment
	if !z.Whole() || z.Index() != 1 || z.Parts() != 1 || z.String() != "1/1" || z.Count(7) != 7 || z.Position(7) != 7 || !z.Owns(3) {
		t.Errorf("zero Segment is not the whole plan: %v %d %d %d", z, z.Index(), z.Parts(), z.Count(7))
	}
	if one := EqualParts(1)[0]; !one.Whole() {
		t.Error("EqualParts(1) is not the whole plan")
	}
}

// TestSegmentEqualPartsRoundRobin: n equal parts take every n-th
// position, so 200 users over 4 parts are 50 each at every step.
func TestSegmentEqualPartsRoundRobin(t *testing.T) {
	parts := EqualParts(4)
	for p := int64(0); p < 40; p++ {
		for i, s := range parts {
			if s.Owns(p) != (p%4 == int64(i)) {
				t.Fatalf("part %s owns %d: %v", s, p, s.Owns(p))
			}
		}
	}
	for _, s := range parts {
		if s.Count(200) != 50 {
			t.Errorf("%s: Count(200) = %d", s, s.Count(200))
		}
	}
}

// randomSplit returns the segments of a split into 1..maxParts parts of
// random positive weights.
func randomSplit(rng *rand.Rand, maxParts int) []Segment {
	n := 1 + rng.IntN(maxParts)
	fr := make([]string, n)
	weights := make([]int, n)
	sum := 0
	for i := range weights {
		weights[i] = 1 + rng.IntN(9)
		sum += weights[i]
	}
	for i, w := range weights {
		fr[i] = fmt.Sprintf("%d/%d", w, sum)
	}
	segs, err := Split(fr...)
	if err != nil {
		panic(err)
	}
	return segs
}

// TestSegmentPartition is the split's property, over many random splits:
// the parts own every position exactly once, every part holds within one
// of its share of any prefix, Count and Position agree, and the Counts of
// any prefix add up to it.
func TestSegmentPartition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 17))
	for trial := range 500 {
		segs := randomSplit(rng, 12)
		limit := int64(3*len(segs)*9 + rng.IntN(50))
		for p := range limit {
			owners := 0
			for _, s := range segs {
				if s.Owns(p) {
					owners++
				}
			}
			if owners != 1 {
				t.Fatalf("trial %d, %s: position %d has %d owners", trial, segs[0], p, owners)
			}
		}
		for n := range limit {
			var sum int64
			for _, s := range segs {
				c := s.Count(n)
				sum += c
				if d := float64(c) - float64(n)*s.Fraction(); d <= -1 || d >= 1 {
					t.Fatalf("trial %d, %s: Count(%d) = %d, share %.3f", trial, s, n, c, float64(n)*s.Fraction())
				}
			}
			if sum != n {
				t.Fatalf("trial %d, %s: the Counts of %d add up to %d", trial, segs[0], n, sum)
			}
		}
		for _, s := range segs {
			prev := int64(-1)
			for k := range limit / 2 {
				p := s.Position(k)
				if p <= prev || !s.Owns(p) || s.Count(p+1) != k+1 || s.Count(p) != k {
					t.Fatalf("trial %d, %s: Position(%d) = %d after %d", trial, s, k, p, prev)
				}
				prev = p
			}
		}
	}
}

// TestSegmentCountQuick: testing/quick over prefixes and equal splits:
// the parts' Counts add up to the prefix, and Position inverts Count.
func TestSegmentCountQuick(t *testing.T) {
	f := func(parts uint16, prefix uint32) bool {
		segs := EqualParts(1 + int(parts)%MaxParts)
		n := int64(prefix)
		var sum int64
		for _, s := range segs {
			c := s.Count(n)
			sum += c
			if c > 0 && s.Count(s.Position(c-1)+1) != c {
				return false
			}
		}
		return sum == n
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 200}); err != nil {
		t.Error(err)
	}
}

// rampSim follows one engine's share of a closed-model plan through a
// list of user counts as rampTo does: the roster moves for every step of
// the plan, the engine starts and stops the users at its own positions.
type rampSim struct {
	ros  roster
	live []simUser
	ever []simUser // every user started
}

type simUser struct {
	class int
	id    int64
}

func (s *rampSim) rampTo(target int, seg Segment) {
	for s.ros.running() != target {
		if s.ros.running() > target {
			ours := seg.Owns(int64(s.ros.running() - 1))
			s.ros.shrink()
			if ours {
				s.live = s.live[:len(s.live)-1]
			}
			continue
		}
		ours := seg.Owns(int64(s.ros.running()))
		c, id, ok := s.ros.grow()
		if !ok {
			return
		}
		if ours {
			s.live = append(s.live, simUser{c, id})
			s.ever = append(s.ever, simUser{c, id})
		}
	}
}

// TestSegmentClassSplitProperty: for many random plans (weighted and
// fixed classes, user counts going up and down) and random splits, the
// users the parts run add up, class by class and at every step, to the
// users of the whole plan, and no two parts number a user alike.
func TestSegmentClassSplitProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 29))
	for trial := range 300 {
		var classes []Class
		for i := range 1 + rng.IntN(5) {
			c := Class{Name: fmt.Sprintf("C%d", i), Weight: rng.IntN(80)}
			if rng.IntN(4) == 0 {
				c.Fixed = 1 + rng.IntN(5)
			}
			classes = append(classes, c)
		}
		if classes[0].Fixed == 0 && classes[0].Weight == 0 {
			classes[0].Weight = 1
		}
		segs := randomSplit(rng, 8)
		whole := rampSim{ros: newRoster(classes)}
		parts := make([]rampSim, len(segs))
		for i := range parts {
			parts[i].ros = newRoster(classes)
		}
		for range 1 + rng.IntN(6) {
			target := rng.IntN(300)
			whole.rampTo(target, Segment{})
			want := make([]int, len(classes))
			for _, u := range whole.live {
				want[u.class]++
			}
			got := make([]int, len(classes))
			for i := range parts {
				parts[i].rampTo(target, segs[i])
				for _, u := range parts[i].live {
					got[u.class]++
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("trial %d, %d parts, %d users of %v: the parts run %v, the whole plan %v",
					trial, len(segs), target, classes, got, want)
			}
		}
		ids := map[int64]int{}
		for _, u := range whole.ever {
			ids[u.id] = u.class
		}
		n := 0
		for _, p := range parts {
			for _, u := range p.ever {
				n++
				if c, ok := ids[u.id]; !ok || c != u.class {
					t.Fatalf("trial %d: user %d of class %d in a part, not in the whole plan (%v)", trial, u.id, u.class, ok)
				}
				delete(ids, u.id)
			}
		}
		if len(ids) > 0 || n != len(whole.ever) {
			t.Fatalf("trial %d: %d users started by the parts, %d by the whole plan, %d not started by any part", trial, n, len(whole.ever), len(ids))
		}
	}
}

// BenchmarkSegmentOwns is the engine's per-position question.
func BenchmarkSegmentOwns(b *testing.B) {
	s, err := ParseSegment("2:1/2,1/3,1/6")
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for i := range b.N {
		if s.Owns(int64(i)) {
			n++
		}
	}
	_ = n
}

// FuzzParseSegment: any input is a segment that reads back the same, or
// an ErrSegment; never a panic.
func FuzzParseSegment(f *testing.F) {
	for _, s := range []string{"1/1", "2/4", "1:1/2,1/4,1/4", "3:0.5,0.25,0.25", "0/0", "1:", ":", "1:1/3,2/3", "9/1000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSegment(in)
		if err != nil {
			if !errors.Is(err, ErrSegment) {
				t.Fatalf("%q: %v is not an ErrSegment", in, err)
			}
			return
		}
		back, err := ParseSegment(s.String())
		if err != nil || back.String() != s.String() || back.Fraction() != s.Fraction() {
			t.Fatalf("%q: %s reads back as %v, %v", in, s, back, err)
		}
	})
}

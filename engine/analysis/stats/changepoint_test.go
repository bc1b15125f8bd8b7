package stats

import (
	"math/rand/v2"
	"testing"
)

// binomial draws k of n at rate p (normal approximation above 1,000
// expected, exact below), from r.
func binomial(r *rand.Rand, n int64, p float64) int64 {
	var k int64
	for range n {
		if r.Float64() < p {
			k++
		}
	}
	return k
}

func series(seed uint64, n int, trials int64, rate func(i int) float64) ([]int64, []int64) {
	r := rand.New(rand.NewPCG(seed, 7))
	t, e := make([]int64, n), make([]int64, n)
	for i := range n {
		t[i] = trials
		e[i] = binomial(r, trials, rate(i))
	}
	return t, e
}

func TestChangeFindsAStep(t *testing.T) {
	tr, ev := series(1, 90, 200, func(i int) float64 {
		if i < 60 {
			return 0
		}
		return 0.24
	})
	s := Change(tr, ev, 0.001)
	if len(s.Parts) != 2 || s.Parts[1].From < 58 || s.Parts[1].From > 62 || s.P > ChangeAlpha {
		t.Fatalf("%+v", s)
	}
	if s.Parts[0].Trials+s.Parts[1].Trials != 90*200 {
		t.Errorf("parts hold %d trials", s.Parts[0].Trials+s.Parts[1].Trials)
	}
}

func TestChangeFindsAnEpisode(t *testing.T) {
	tr, ev := series(2, 300, 100, func(i int) float64 {
		switch {
		case i < 100:
			return 0.005
		case i < 200:
			return 0.51
		}
		return 0
	})
	s := Change(tr, ev, 0.001)
	if len(s.Parts) != 3 || s.Parts[1].From < 98 || s.Parts[1].From > 102 || s.Parts[2].From < 198 || s.Parts[2].From > 202 {
		t.Fatalf("%+v", s)
	}
}

// A steady rate, with binomial noise or with more than that (bursts),
// has no change point: over many seeds, the false alarms stay near
// ChangeAlpha, far below 1 in 50.
func TestChangeNoFalseSteps(t *testing.T) {
	alarms := 0
	const runs = 200
	for seed := range uint64(runs) {
		r := rand.New(rand.NewPCG(seed, 11))
		tr, ev := series(seed, 120, 300, func(int) float64 {
			if seed%2 == 0 {
				return 0.01
			}
			return 0.01 * (0.2 + 1.6*r.Float64()) // overdispersed
		})
		if s := Change(tr, ev, 0.001); len(s.Parts) > 1 {
			alarms++
		}
	}
	t.Logf("%d of %d steady series split", alarms, runs)
	if alarms > runs/50 {
		t.Errorf("%d of %d steady series split", alarms, runs)
	}
}

// One bad interval among clean ones is a burst, not a level.
func TestChangeIgnoresOneBurst(t *testing.T) {
	tr, ev := series(3, 120, 200, func(i int) float64 {
		if i == 70 {
			return 0.6
		}
		return 0.002
	})
	if s := Change(tr, ev, 0.001); len(s.Parts) != 1 {
		t.Fatalf("%+v", s)
	}
}

// A change too small to matter is not one, however significant.
func TestChangeNegligible(t *testing.T) {
	n := 100
	tr, ev := make([]int64, n), make([]int64, n)
	for i := range n {
		tr[i] = 1_000_000
		ev[i] = 1000
		if i >= 50 {
			ev[i] = 1100
		}
	}
	if s := Change(tr, ev, 0.001); len(s.Parts) != 1 {
		t.Fatalf("0.10%% to 0.11%% split: %+v", s)
	}
}

func TestChangeShortAndEmpty(t *testing.T) {
	for _, n := range []int{0, 1, 5} {
		s := Change(make([]int64, n), make([]int64, n), 0.001)
		if len(s.Parts) != 1 || s.P != 1 {
			t.Errorf("%d points: %+v", n, s)
		}
	}
}

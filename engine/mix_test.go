package engine

import (
	"math/rand/v2"
	"testing"
)

func TestMixSeedExactCounts(t *testing.T) {
	m := newMix([]Class{{Name: "A", Weight: 70}, {Name: "U", Weight: 25}, {Name: "W", Weight: 4}, {Name: "H", Weight: 1}})
	for range 200 {
		m.next()
	}
	want := []int64{140, 50, 8, 2}
	for i, w := range want {
		if m.count[i] != w {
			t.Fatalf("200 users at 70/25/4/1: class %d has %d users, want %d (all: %v)", i, m.count[i], w, m.count)
		}
	}
}

// Every prefix of the spawn sequence is within one user of each class's
// quota, for many random weight sets: ramping up or down (a prefix either
// way) keeps the mix proportional.
func TestMixStaysWithinQuota(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		k := 1 + r.IntN(6)
		classes := make([]Class, k)
		var sum int64
		for i := range classes {
			classes[i].Weight = r.IntN(100)
			sum += int64(classes[i].Weight)
		}
		if sum == 0 {
			continue
		}
		m := newMix(classes)
		for n := int64(1); n <= 1000; n++ {
			m.next()
			for i, c := range classes {
				// |count - n*w/sum| < 1  <=>  |count*sum - n*w| < sum
				d := m.count[i]*sum - n*int64(c.Weight)
				if d >= sum || d <= -sum {
					t.Fatalf("trial %d weights %v: after %d users class %d has %d, quota %.2f",
						trial, m.weight, n, i, m.count[i], float64(n)*float64(c.Weight)/float64(sum))
				}
			}
		}
	}
}

func TestMixFixedFirst(t *testing.T) {
	m := newMix([]Class{{Name: "A", Weight: 1}, {Name: "F", Fixed: 3}, {Name: "B", Weight: 1}})
	var got []int
	for range 7 {
		got = append(got, m.next())
	}
	want := []int{1, 1, 1, 0, 2, 0, 2}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("spawn order %v, want %v", got, want)
		}
	}
	if only := newMix([]Class{{Name: "F", Fixed: 1}}); only.next() != 0 || only.next() != -1 {
		t.Fatal("a full fixed-only mix must return -1")
	}
}

package engine

// mix is the deterministic spawn order of user classes. The n-th user
// started in a run is of class next() after n-1 calls, so the users running
// at any count n are the first n of one fixed sequence: ramping up adds to
// it, ramping down (which stops users in reverse spawn order) removes from
// its end, and the mix stays proportional both ways.
//
// Fixed classes come first, until each has its Fixed count (Locust's
// fixed_count). Weighted classes follow: the next user goes to the class
// furthest below its quota n*w/W (ties to the earlier class), in integer
// arithmetic. Each count then stays within one of its quota at every n, so
// whenever the quotas are whole numbers the counts equal them: 200 users at
// 70/25/4/1 are exactly 140/50/8/2.
type mix struct {
	weight []int64 // 0 for fixed classes
	fixed  []int64 // 0 for weighted classes
	count  []int64 // users of each class so far
	sumW   int64
	sumF   int64
	nW     int64 // weighted users so far
	nF     int64 // fixed users so far
}

func newMix(classes []Class) *mix {
	m := &mix{
		weight: make([]int64, len(classes)),
		fixed:  make([]int64, len(classes)),
		count:  make([]int64, len(classes)),
	}
	for i, c := range classes {
		if c.Fixed > 0 {
			m.fixed[i] = int64(c.Fixed)
			m.sumF += int64(c.Fixed)
		} else {
			m.weight[i] = int64(c.Weight)
			m.sumW += int64(c.Weight)
		}
	}
	return m
}

// next returns the class index of the next user, or -1 when every class
// is fixed and full.
func (m *mix) next() int {
	if m.nF < m.sumF {
		i := pickDeficit(m.fixed, m.count, m.sumF, m.nF+1)
		m.count[i]++
		m.nF++
		return i
	}
	if m.sumW == 0 {
		return -1
	}
	i := pickDeficit(m.weight, m.count, m.sumW, m.nW+1)
	m.count[i]++
	m.nW++
	return i
}

// pickDeficit returns the class i with share[i] > 0 that maximises
// n*share[i]/sum - count[i], computed as n*share[i] - count[i]*sum.
func pickDeficit(share, count []int64, sum, n int64) int {
	best, bestD := -1, int64(0)
	for i, s := range share {
		if s == 0 {
			continue
		}
		d := n*s - count[i]*sum
		if best < 0 || d > bestD {
			best, bestD = i, d
		}
	}
	return best
}

// undo takes back the last user of class i: the users running after a
// ramp-down are again a prefix of the spawn sequence.
func (m *mix) undo(i int) {
	m.count[i]--
	if m.fixed[i] > 0 {
		m.nF--
	} else {
		m.nW--
	}
}

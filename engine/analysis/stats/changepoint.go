package stats

import "math"

// Segments is a split of a sequence of binomial counts (failures of
// trials, one pair per interval) into at most three segments of constant
// rate: no change, a step (one change point) or an episode (two). It is
// the best split by likelihood, kept only when the gain over fewer
// change points is significant after allowing for every position the
// change points could have taken and for overdispersion.
//
// Why not a slope: a rate that is 0 in most intervals and high in the
// last few has a Theil-Sen slope of 0 (the median pairwise slope is
// between two zeros), and a rate that went up and came back down has
// none either. A change point sees both.
type Segments struct {
	// Parts are the segments in order; one part means no significant
	// change.
	Parts []Segment `json:"parts"`
	// P is the p-value of the chosen split against one fewer change
	// point (Bonferroni-corrected over the positions tried; 1 with one
	// part).
	P float64 `json:"p"`
	// Dispersion is the estimated overdispersion (Pearson chi-square
	// per degree of freedom of the chosen fit, at least 1): how much
	// more the rate varies between intervals than binomial noise says.
	Dispersion float64 `json:"dispersion"`
}

// Segment is a run of intervals [From, To) with its totals.
type Segment struct {
	From   int     `json:"from"`
	To     int     `json:"to"` // exclusive
	Trials int64   `json:"trials"`
	Events int64   `json:"events"`
	Rate   float64 `json:"rate"` // Events / Trials, 0 without trials
}

// ChangeAlpha is the significance level a change point must reach
// (after correction) to be kept.
const ChangeAlpha = 0.001

// MinSegment is the fewest points a segment may have: a single bad
// interval is a burst, not a change of level.
const MinSegment = 3

// Change finds the segments of trials[i] (>= 0) with events[i] (<=
// trials[i]) by maximum likelihood with at most two change points.
// Adjacent segments must differ in rate by at least minDiff (absolute)
// and by half (relative), so a significant but negligible change (0.10 %
// to 0.11 % over millions of requests) is not called one. It costs
// O(n²) time for n points; callers with more than a few thousand points
// should sum neighbours first. It is safe for concurrent use.
func Change(trials, events []int64, minDiff float64) Segments {
	n := len(trials)
	ct, ce := make([]int64, n+1), make([]int64, n+1)
	for i := range n {
		ct[i+1], ce[i+1] = ct[i]+trials[i], ce[i]+events[i]
	}
	seg := func(a, b int) Segment {
		s := Segment{From: a, To: b, Trials: ct[b] - ct[a], Events: ce[b] - ce[a]}
		if s.Trials > 0 {
			s.Rate = float64(s.Events) / float64(s.Trials)
		}
		return s
	}
	ll := func(a, b int) float64 { s := seg(a, b); return binomLL(s.Events, s.Trials) }
	whole := []Segment{seg(0, n)}
	out := Segments{Parts: whole, P: 1, Dispersion: 1}
	if n < 2*MinSegment {
		return out
	}
	null := ll(0, n)

	// The best single change point.
	k1, best1 := -1, math.Inf(-1)
	for k := MinSegment; k <= n-MinSegment; k++ {
		if v := ll(0, k) + ll(k, n); v > best1 && distinct(seg(0, k), seg(k, n), minDiff) {
			k1, best1 = k, v
		}
	}
	// The best pair of change points.
	a2, b2, best2 := -1, -1, math.Inf(-1)
	for a := MinSegment; a <= n-2*MinSegment; a++ {
		left := ll(0, a)
		for b := a + MinSegment; b <= n-MinSegment; b++ {
			if v := left + ll(a, b) + ll(b, n); v > best2 {
				if distinct(seg(0, a), seg(a, b), minDiff) && distinct(seg(a, b), seg(b, n), minDiff) {
					a2, b2, best2 = a, b, v
				}
			}
		}
	}

	// Overdispersion, from each model's own fit: intervals vary more
	// than binomial noise (bursts, retries), and a likelihood-ratio test
	// that ignored it would call every wobble a change. A burst left
	// inside a segment inflates that model's dispersion, and so weakens
	// its own case.
	three := []Segment{seg(0, max(a2, 0)), seg(max(a2, 0), max(b2, 0)), seg(max(b2, 0), n)}
	two := []Segment{seg(0, max(k1, 0)), seg(max(k1, 0), n)}
	phi2, phi3 := dispersion(trials, events, two), dispersion(trials, events, three)
	out.Dispersion = dispersion(trials, events, whole)
	positions := float64(n)
	p1, p2, p21 := 1.0, 1.0, 1.0
	if k1 > 0 {
		p1 = math.Min(1, positions*chi2SF1(2*(best1-null)/phi2))
	}
	if a2 > 0 {
		p2 = math.Min(1, positions*positions/2*chi2SF2(2*(best2-null)/phi3))
		if k1 > 0 {
			p21 = math.Min(1, positions*chi2SF1(2*(best2-best1)/phi3))
		} else {
			p21 = p2
		}
	}
	// A level carried by one interval is a burst: each higher part must
	// still differ from its neighbour without its worst interval.
	robust := func(parts []Segment) bool {
		for i := 1; i < len(parts); i++ {
			lo, hi := parts[i-1], parts[i]
			if hi.Rate < lo.Rate {
				lo, hi = hi, lo
			}
			w := hi.From
			for j := hi.From; j < hi.To; j++ {
				if events[j] > events[w] {
					w = j
				}
			}
			hi.Trials, hi.Events = hi.Trials-trials[w], hi.Events-events[w]
			hi.Rate = 0
			if hi.Trials > 0 {
				hi.Rate = float64(hi.Events) / float64(hi.Trials)
			}
			if !distinct(lo, hi, minDiff) {
				return false
			}
		}
		return true
	}
	switch {
	case a2 > 0 && p2 < ChangeAlpha && p21 < ChangeAlpha && robust(three):
		out.Parts, out.P, out.Dispersion = three, p21, phi3
	case k1 > 0 && p1 < ChangeAlpha && robust(two):
		out.Parts, out.P, out.Dispersion = two, p1, phi2
	}
	return out
}

// distinct reports whether two segments' rates differ enough to matter.
func distinct(a, b Segment, minDiff float64) bool {
	lo, hi := math.Min(a.Rate, b.Rate), math.Max(a.Rate, b.Rate)
	return hi-lo >= minDiff && hi >= 1.5*lo
}

// binomLL is the binomial log-likelihood of k events in n trials at the
// maximum-likelihood rate k/n (without the binomial coefficient, which
// cancels in every ratio).
func binomLL(k, n int64) float64 {
	if n == 0 || k == 0 || k == n {
		return 0
	}
	p := float64(k) / float64(n)
	return float64(k)*math.Log(p) + float64(n-k)*math.Log(1-p)
}

// dispersion is Pearson's chi-square per degree of freedom of a fit, at
// least 1.
func dispersion(trials, events []int64, fit []Segment) float64 {
	var chi float64
	var df int
	for _, s := range fit {
		p := s.Rate
		for i := s.From; i < s.To; i++ {
			if trials[i] == 0 {
				continue
			}
			df++
			if p <= 0 || p >= 1 {
				continue
			}
			e := float64(trials[i]) * p
			d := float64(events[i]) - e
			chi += d * d / (e * (1 - p))
		}
	}
	df -= len(fit)
	if df <= 0 {
		return 1
	}
	return math.Max(1, chi/float64(df))
}

// chi2SF1 is the survival function of the chi-square distribution with
// one degree of freedom.
func chi2SF1(x float64) float64 {
	if x <= 0 {
		return 1
	}
	return math.Erfc(math.Sqrt(x / 2))
}

// chi2SF2 is the survival function of the chi-square distribution with
// two degrees of freedom.
func chi2SF2(x float64) float64 {
	if x <= 0 {
		return 1
	}
	return math.Exp(-x / 2)
}

package stats

import (
	"cmp"
	"math"
	"slices"
)

// Trend is a robust linear trend: the Theil-Sen slope (the median of the
// slopes between every pair of points) with its confidence interval from
// Kendall's rank statistic (Sen 1968), and the one-sided p-value of a
// rising trend. Unlike a least-squares fit, one outlier (a GC that ran
// late, a burst of work) cannot move it, and unlike a bare Mann-Kendall
// test it says how fast, so a detector can ask whether the growth matters.
type Trend struct {
	// Slope and its 95 % confidence interval [Lo, Hi], in y units per x
	// unit.
	Slope float64 `json:"slope"`
	Lo    float64 `json:"lo"`
	Hi    float64 `json:"hi"`
	// Intercept is the median of y - Slope*x.
	Intercept float64 `json:"intercept"`
	// N is the number of points.
	N int `json:"n"`
	// PRising is the one-sided p-value of Kendall's test for a rising
	// trend (normal approximation with ties): small means rising.
	PRising float64 `json:"p_rising"`
}

// Rising reports whether the whole confidence interval is above 0.
func (t Trend) Rising() bool { return t.N >= MinPoints && t.Lo > 0 }

// Falling reports whether the whole confidence interval is below 0.
func (t Trend) Falling() bool { return t.N >= MinPoints && t.Hi < 0 }

// MinPoints is the fewest points TheilSen fits a trend to: with fewer,
// the Trend has only N set (and PRising 1), and is neither rising nor
// falling.
const MinPoints = 5

// z95 is the two-sided 95 % normal quantile.
const z95 = 1.959963984540054

// maxPairs bounds the pairwise slopes computed: beyond it the points are
// thinned evenly (to about 1,000 points), which bounds a fit's memory to
// 4 MB and its time to a few ms whatever the series' length.
const maxPairs = 500_000

// TheilSen fits y against x (equal lengths; points with NaN are
// skipped). Fewer than 5 points give a Trend with N set and the other
// fields 0 (PRising 1).
func TheilSen(x, y []float64) Trend { return theilSen(x, y, false) }

// TheilSenSerial is [TheilSen] for points in x order whose noise is
// serially correlated (a machine's load wanders for tens of seconds):
// Kendall's variance, and so the confidence interval and PRising, is
// inflated by the effective sample size of lag-1 autocorrelated
// residuals (Yue and Wang 2004), so a slow wander is not read as a
// trend: of 400 such series (AR(1), phi 0.8, 40 points, no trend) it
// calls 5.8 % rising, TheilSen 21 % (TestTheilSenSerial). With
// independent noise it equals TheilSen.
func TheilSenSerial(x, y []float64) Trend { return theilSen(x, y, true) }

func theilSen(x, y []float64, serial bool) Trend {
	xs, ys := cleanXY(x, y)
	n := len(xs)
	if n < MinPoints {
		return Trend{N: n, PRising: 1}
	}
	slopes := make([]float64, 0, n*(n-1)/2)
	var s float64 // Kendall's S over the pairs with distinct x
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			dx := xs[j] - xs[i]
			if dx == 0 {
				continue
			}
			d := (ys[j] - ys[i]) / dx
			slopes = append(slopes, d)
			switch {
			case d > 0:
				s++
			case d < 0:
				s--
			}
		}
	}
	if len(slopes) == 0 {
		return Trend{N: n, PRising: 1}
	}
	t := Trend{N: n, Slope: medianSelect(slopes)}
	// Var(S) with ties in y (x ties are skipped above).
	v := float64(n*(n-1)*(2*n+5)) / 18
	for _, g := range tieGroups(ys) {
		v -= float64(g*(g-1)*(2*g+5)) / 18
	}
	if serial {
		v *= serialInflation(xs, ys, t.Slope)
	}
	if v <= 0 {
		t.Lo, t.Hi, t.PRising = t.Slope, t.Slope, 1
	} else {
		c := z95 * math.Sqrt(v)
		m := float64(len(slopes))
		lo := int(math.Floor((m - c) / 2))
		hi := int(math.Ceil((m+c)/2)) - 1
		t.Lo = selectK(slopes, min(max(lo, 0), len(slopes)-1))
		t.Hi = selectK(slopes, min(max(hi, 0), len(slopes)-1))
		z := 0.0
		switch {
		case s > 0:
			z = (s - 1) / math.Sqrt(v)
		case s < 0:
			z = (s + 1) / math.Sqrt(v)
		}
		t.PRising = 0.5 * math.Erfc(z/math.Sqrt2)
	}
	res := make([]float64, n)
	for i := range xs {
		res[i] = ys[i] - t.Slope*xs[i]
	}
	t.Intercept = medianSelect(res)
	return t
}

// Median returns the median of v (the mean of the middle two for an even
// count; NaN for none), leaving v as it was.
func Median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	return medianSelect(slices.Clone(v))
}

// serialInflation is n/n*, how much lag-1 autocorrelation of the
// residuals of y - slope*x (in x order) inflates a rank statistic's
// variance: 1 + 2 sum_k (1 - k/n) r^k, for r > 0 (1 otherwise).
func serialInflation(xs, ys []float64, slope float64) float64 {
	n := len(xs)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(xs[a], xs[b]) })
	res := make([]float64, n)
	var mean float64
	for i, j := range idx {
		res[i] = ys[j] - slope*xs[j]
		mean += res[i] / float64(n)
	}
	var num, den float64
	for i := range res {
		d := res[i] - mean
		den += d * d
		if i > 0 {
			num += d * (res[i-1] - mean)
		}
	}
	if den == 0 || num <= 0 {
		return 1
	}
	r, f, rk := num/den, 1.0, 1.0
	for k := 1; k < n; k++ {
		rk *= r
		if rk < 1e-6 {
			break
		}
		f += 2 * (1 - float64(k)/float64(n)) * rk
	}
	return f
}

// medianSelect returns the median of a (reordering it), in linear time.
func medianSelect(a []float64) float64 {
	n := len(a)
	if n%2 == 1 {
		return selectK(a, n/2)
	}
	hi := selectK(a, n/2)
	lo := a[0] // after selectK, a[:n/2] holds the smaller half
	for _, v := range a[1 : n/2] {
		lo = max(lo, v)
	}
	return (lo + hi) / 2
}

// selectK returns the k-th smallest element of a (0-based), reordering a
// so that a[:k] <= a[k] <= a[k+1:] (Hoare's quickselect with a
// median-of-three pivot; it falls back to sorting after too many rounds,
// so it is never quadratic).
func selectK(a []float64, k int) float64 {
	lo, hi := 0, len(a)-1
	for rounds := 0; lo < hi; rounds++ {
		if rounds > 64 {
			slices.Sort(a[lo : hi+1])
			return a[k]
		}
		mid := lo + (hi-lo)/2
		if a[mid] < a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] < a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		pivot := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] < pivot {
				i++
			}
			for a[j] > pivot {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return a[k]
		}
	}
	return a[k]
}

func cleanXY(x, y []float64) ([]float64, []float64) {
	n := min(len(x), len(y))
	xs, ys := make([]float64, 0, n), make([]float64, 0, n)
	for i := 0; i < n; i++ {
		if math.IsNaN(x[i]) || math.IsNaN(y[i]) || math.IsInf(x[i], 0) || math.IsInf(y[i], 0) {
			continue
		}
		xs, ys = append(xs, x[i]), append(ys, y[i])
	}
	if len(xs)*(len(xs)-1)/2 > maxPairs {
		keep := int(math.Sqrt(2 * maxPairs))
		tx, ty := make([]float64, 0, keep), make([]float64, 0, keep)
		for k := 0; k < keep; k++ {
			i := k * (len(xs) - 1) / (keep - 1)
			tx, ty = append(tx, xs[i]), append(ty, ys[i])
		}
		xs, ys = tx, ty
	}
	return xs, ys
}

// tieGroups returns the sizes (> 1) of groups of equal values.
func tieGroups(v []float64) []int {
	s := slices.Clone(v)
	slices.Sort(s)
	var out []int
	for i := 0; i < len(s); {
		j := i + 1
		for j < len(s) && s[j] == s[i] {
			j++
		}
		if j-i > 1 {
			out = append(out, j-i)
		}
		i = j
	}
	return out
}

// Spearman returns the rank correlation of x and y (-1..1), 0 when
// either is constant or there are fewer than 3 pairs.
func Spearman(x, y []float64) float64 {
	xs, ys := cleanXY(x, y)
	if len(xs) < 3 {
		return 0
	}
	return pearson(ranks(xs), ranks(ys))
}

// ranks returns the ranks of v (1-based, ties averaged).
func ranks(v []float64) []float64 {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(v[a], v[b]) })
	r := make([]float64, len(v))
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && v[idx[j]] == v[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2
		for k := i; k < j; k++ {
			r[idx[k]] = avg
		}
		i = j
	}
	return r
}

func pearson(x, y []float64) float64 {
	n := float64(len(x))
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= n
	my /= n
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0
	}
	return sxy / math.Sqrt(sxx*syy)
}

package stats

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// USL is a fit of Gunther's Universal Scalability Law to measured
// throughput X at concurrency N (users, or replicas):
//
//	X(N) = Lambda*N / (1 + Sigma*(N-1) + Kappa*N*(N-1))
//
// Sigma is contention (the serial share: queueing on a lock, a pool, one
// CPU), Kappa coherency (the cost of keeping shared state consistent,
// which makes throughput fall past a peak), Lambda the throughput of one
// user with no interference.
type USL struct {
	Lambda float64 `json:"lambda"`
	Sigma  float64 `json:"sigma"`
	Kappa  float64 `json:"kappa"`
	// R2 is the coefficient of determination of the fit on X (1 is
	// perfect; below 0.9 the law describes the steps poorly).
	R2 float64 `json:"r2"`
	// N is the number of steps fitted.
	N int `json:"n"`
	// PeakN is the concurrency of the highest throughput and PeakX the
	// throughput there, X(PeakN): sqrt((1-Sigma)/Kappa) when Kappa > 0,
	// or 1 and Lambda when Sigma >= 1 (more users add nothing). Both are 0
	// when the law has no peak (Kappa 0, Sigma < 1: throughput only rises,
	// towards [USL.Ceiling]); [USL.HasPeak] tells. Every field is finite,
	// so a fit always encodes as JSON.
	PeakN float64 `json:"peak_n"`
	PeakX float64 `json:"peak_x"`
}

// HasPeak reports whether the law has a highest throughput (PeakN, PeakX).
func (u USL) HasPeak() bool { return u.PeakN > 0 }

// Ceiling is the most throughput the law allows at any concurrency: PeakX
// when it peaks, Lambda/Sigma when contention alone flattens it, and 0
// when it has no bound (Sigma and Kappa 0: it grows linearly).
func (u USL) Ceiling() float64 {
	switch {
	case u.HasPeak():
		return u.PeakX
	case u.Sigma > 0:
		return u.Lambda / u.Sigma
	}
	return 0
}

// negligible is the least effect a coefficient must have on the law's
// denominator over the measured range to count.
const negligible = 1e-9

// ErrUSLFit is returned by FitUSL for too few or unusable points.
var ErrUSLFit = errors.New("stats: cannot fit the Universal Scalability Law")

// Throughput is the law's X(n); 0 where the law's denominator is not
// positive (n below 1 with a large Sigma: outside its domain).
func (u USL) Throughput(n float64) float64 {
	d := 1 + u.Sigma*(n-1) + u.Kappa*n*(n-1)
	if d <= 0 {
		return 0
	}
	return u.Lambda * n / d
}

// FitUSL fits the law to concurrencies n and throughputs x (at least 3
// points with n >= 1 and x > 0). It solves the law's linear form,
// N/X = a + b(N-1) + cN(N-1) with a = 1/Lambda, b = Sigma/Lambda,
// c = Kappa/Lambda, by least squares, with Sigma and Kappa kept >= 0 (a
// negative coefficient is dropped and the rest refitted), and reports R2
// on X itself.
func FitUSL(n, x []float64) (USL, error) {
	var ns, xs []float64
	for i := range min(len(n), len(x)) {
		if n[i] >= 1 && x[i] > 0 && !math.IsInf(x[i], 0) && !math.IsNaN(n[i]) && !math.IsInf(n[i], 0) {
			ns, xs = append(ns, n[i]), append(xs, x[i])
		}
	}
	if len(ns) < 3 {
		return USL{}, fmt.Errorf("%w: %d usable steps, need 3", ErrUSLFit, len(ns))
	}
	y := make([]float64, len(ns))
	f1 := make([]float64, len(ns))
	f2 := make([]float64, len(ns))
	for i := range ns {
		y[i] = ns[i] / xs[i]
		f1[i] = ns[i] - 1
		f2[i] = ns[i] * (ns[i] - 1)
	}
	var a, b, c float64
	var ok bool
	for _, use := range [][2]bool{{true, true}, {true, false}, {false, true}, {false, false}} {
		a, b, c, ok = leastSquares(y, f1, f2, use[0], use[1])
		if ok && a > 0 && b >= 0 && c >= 0 {
			break
		}
		ok = false
	}
	if !ok {
		return USL{}, fmt.Errorf("%w: the steps give no positive single-user throughput", ErrUSLFit)
	}
	u := USL{Lambda: 1 / a, Sigma: b / a, Kappa: c / a, N: len(ns)}
	// A coefficient whose whole effect over the measured range is below
	// rounding error is 0: a straight line's fit has no ceiling at 10^16.
	top := slices.Max(ns)
	if u.Sigma*(top-1) < negligible {
		u.Sigma = 0
	}
	if u.Kappa*top*(top-1) < negligible {
		u.Kappa = 0
	}
	var mean, ssTot, ssRes float64
	for _, v := range xs {
		mean += v
	}
	mean /= float64(len(xs))
	for i := range xs {
		d := xs[i] - u.Throughput(ns[i])
		ssRes += d * d
		ssTot += (xs[i] - mean) * (xs[i] - mean)
	}
	if ssTot > 0 {
		u.R2 = 1 - ssRes/ssTot
	}
	switch {
	case u.Sigma >= 1:
		u.PeakN, u.PeakX = 1, u.Lambda
	case u.Kappa > 0:
		u.PeakN = math.Sqrt((1 - u.Sigma) / u.Kappa)
		u.PeakX = u.Throughput(u.PeakN)
	}
	if !finite(u.Lambda, u.Sigma, u.Kappa, u.R2, u.PeakN, u.PeakX) {
		return USL{}, fmt.Errorf("%w: the steps give a non-finite fit", ErrUSLFit)
	}
	return u, nil
}

// leastSquares fits y = a + b*f1 + c*f2 (b, c only when used) and reports
// whether the normal equations were solvable.
func leastSquares(y, f1, f2 []float64, useB, useC bool) (a, b, c float64, ok bool) {
	cols := [][]float64{ones(len(y))}
	if useB {
		cols = append(cols, f1)
	}
	if useC {
		cols = append(cols, f2)
	}
	k := len(cols)
	m := make([][]float64, k)
	for i := range m {
		m[i] = make([]float64, k+1)
		for j := 0; j < k; j++ {
			m[i][j] = dot(cols[i], cols[j])
		}
		m[i][k] = dot(cols[i], y)
	}
	sol, ok := solve(m)
	if !ok {
		return 0, 0, 0, false
	}
	a = sol[0]
	i := 1
	if useB {
		b = sol[i]
		i++
	}
	if useC {
		c = sol[i]
	}
	return a, b, c, true
}

// finite reports whether every v is neither NaN nor infinite.
func finite(v ...float64) bool {
	for _, f := range v {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
	}
	return true
}

func ones(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// solve solves the augmented k x (k+1) system m by Gaussian elimination
// with partial pivoting.
func solve(m [][]float64) ([]float64, bool) {
	k := len(m)
	for col := 0; col < k; col++ {
		p := col
		for r := col + 1; r < k; r++ {
			if math.Abs(m[r][col]) > math.Abs(m[p][col]) {
				p = r
			}
		}
		if math.Abs(m[p][col]) < 1e-300 {
			return nil, false
		}
		m[col], m[p] = m[p], m[col]
		for r := col + 1; r < k; r++ {
			f := m[r][col] / m[col][col]
			for c := col; c <= k; c++ {
				m[r][c] -= f * m[col][c]
			}
		}
	}
	x := make([]float64, k)
	for r := k - 1; r >= 0; r-- {
		s := m[r][k]
		for c := r + 1; c < k; c++ {
			s -= m[r][c] * x[c]
		}
		x[r] = s / m[r][r]
	}
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false
		}
	}
	return x, true
}

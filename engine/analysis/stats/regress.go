package stats

import "math"

// Fit is a least-squares fit of y on an intercept and regressors, with
// each coefficient's standard error.
type Fit struct {
	// Coef[j] is regressor j's coefficient (y units per regressor unit);
	// SE[j] its standard error, inflated for residuals that follow each
	// other (see Regress). Intercept is the fit's value at regressors 0.
	Coef      []float64 `json:"coef"`
	SE        []float64 `json:"se"`
	Intercept float64   `json:"intercept"`
	// N is the number of points, Rho the lag-1 autocorrelation of the
	// residuals (clamped to [0, 0.9]) the standard errors account for.
	N   int     `json:"n"`
	Rho float64 `json:"rho"`
}

// Regress fits y = a + sum_j Coef[j]*xs[j] by least squares (each xs[j]
// as long as y). The standard errors are the classical ones, sigma^2
// (X'X)^-1 with sigma^2 the residual variance over n-k-1, multiplied by
// sqrt((1+rho)/(1-rho)) with rho the residuals' lag-1 autocorrelation:
// points taken in time order (GC cycles, polls) are not independent, and
// an AR(1) series of n points carries the information of about
// n(1-rho)/(1+rho) independent ones. ok is false when there are not
// more than k+2 points, a regressor is constant or is a combination of
// the others (the fit cannot tell them apart), or a value is not finite.
func Regress(y []float64, xs ...[]float64) (Fit, bool) {
	n, k := len(y), len(xs)
	if n <= k+2 || !finite(y...) {
		return Fit{N: n}, false
	}
	// Centre and scale each column: heap bytes, seconds and entries
	// differ by orders of magnitude.
	my, _ := meanSD(y)
	cols := make([][]float64, k)
	mean, sd := make([]float64, k), make([]float64, k)
	for j, x := range xs {
		if len(x) != n || !finite(x...) {
			return Fit{N: n}, false
		}
		mean[j], sd[j] = meanSD(x)
		if sd[j] == 0 {
			return Fit{N: n}, false
		}
		c := make([]float64, n)
		for i := range x {
			c[i] = (x[i] - mean[j]) / sd[j]
		}
		cols[j] = c
	}
	yc := make([]float64, n)
	for i := range y {
		yc[i] = y[i] - my
	}
	// Normal equations on the centred columns, inverted by Gauss-Jordan.
	m := make([][]float64, k)
	for i := range m {
		m[i] = make([]float64, 2*k+1)
		for j := range k {
			m[i][j] = dot(cols[i], cols[j])
		}
		m[i][k+i] = 1
		m[i][2*k] = dot(cols[i], yc)
	}
	for col := range k {
		p := col
		for r := col + 1; r < k; r++ {
			if math.Abs(m[r][col]) > math.Abs(m[p][col]) {
				p = r
			}
		}
		// A pivot this small against n (each column has sum of squares
		// n) means a regressor is (nearly) a combination of the others.
		if math.Abs(m[p][col]) < 1e-9*float64(n) {
			return Fit{N: n}, false
		}
		m[col], m[p] = m[p], m[col]
		piv := m[col][col]
		for c := range m[col] {
			m[col][c] /= piv
		}
		for r := range k {
			if r == col {
				continue
			}
			f := m[r][col]
			for c := range m[r] {
				m[r][c] -= f * m[col][c]
			}
		}
	}
	f := Fit{N: n, Coef: make([]float64, k), SE: make([]float64, k)}
	res := make([]float64, n)
	copy(res, yc)
	for j := range k {
		b := m[j][2*k]
		for i := range res {
			res[i] -= b * cols[j][i]
		}
		f.Coef[j] = b / sd[j]
	}
	f.Intercept = my
	for j := range k {
		f.Intercept -= f.Coef[j] * mean[j]
	}
	var ss, lag float64
	for i, r := range res {
		ss += r * r
		if i > 0 {
			lag += r * res[i-1]
		}
	}
	if ss > 0 {
		f.Rho = min(max(lag/ss, 0), 0.9)
	}
	sigma2 := ss / float64(n-k-1)
	inflate := math.Sqrt((1 + f.Rho) / (1 - f.Rho))
	for j := range k {
		f.SE[j] = math.Sqrt(sigma2*m[j][k+j]) / sd[j] * inflate
	}
	for _, v := range append(append([]float64{f.Intercept}, f.Coef...), f.SE...) {
		if !finite(v) {
			return Fit{N: n}, false
		}
	}
	return f, true
}

// meanSD returns the mean and the (population) standard deviation of v.
func meanSD(v []float64) (float64, float64) {
	var s float64
	for _, x := range v {
		s += x
	}
	m := s / float64(len(v))
	var ss float64
	for _, x := range v {
		ss += (x - m) * (x - m)
	}
	return m, math.Sqrt(ss / float64(len(v)))
}

// NormalCDF is the standard normal distribution function: the
// probability that a standard normal variable is at most z.
func NormalCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

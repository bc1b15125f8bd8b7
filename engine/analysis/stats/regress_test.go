package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestRegressRecoversCoefficients(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 200
	y, x1, x2 := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		x1[i] = float64(i) * 2                        // seconds
		x2[i] = 5000 * (1 - math.Exp(-float64(i)/40)) // entries, saturating
		y[i] = 1e7 + 300*x1[i] + 2000*x2[i] + 1e5*r.NormFloat64()
	}
	f, ok := Regress(y, x1, x2)
	if !ok {
		t.Fatal("no fit")
	}
	for j, want := range []float64{300, 2000} {
		if math.Abs(f.Coef[j]-want) > 4*f.SE[j] || f.SE[j] <= 0 {
			t.Errorf("coef %d = %v ± %v, want %v", j, f.Coef[j], f.SE[j], want)
		}
	}
	if math.Abs(f.Intercept-1e7) > 1e6 {
		t.Errorf("intercept %v", f.Intercept)
	}
}

// Regressors that are one another's multiple cannot be told apart.
func TestRegressCollinear(t *testing.T) {
	y, x1, x2 := make([]float64, 20), make([]float64, 20), make([]float64, 20)
	for i := range y {
		x1[i], x2[i], y[i] = float64(i), 3*float64(i)+1, float64(i*i)
	}
	if _, ok := Regress(y, x1, x2); ok {
		t.Error("collinear regressors fitted")
	}
	if _, ok := Regress(y, make([]float64, 20)); ok {
		t.Error("a constant regressor fitted")
	}
	if _, ok := Regress(y[:3], x1[:3]); ok {
		t.Error("3 points fitted to 1 regressor")
	}
}

// Autocorrelated residuals widen the standard error: the 95 % interval
// covers the true slope about as often as it says.
func TestRegressCoverageAutocorrelated(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	covered, runs := 0, 400
	for range runs {
		n := 100
		y, x := make([]float64, n), make([]float64, n)
		e := 0.0
		for i := range n {
			e = 0.6*e + r.NormFloat64()
			x[i] = float64(i)
			y[i] = 2*x[i] + 10*e
		}
		f, ok := Regress(y, x)
		if !ok {
			t.Fatal("no fit")
		}
		if math.Abs(f.Coef[0]-2) <= 1.96*f.SE[0] {
			covered++
		}
	}
	if share := float64(covered) / float64(runs); share < 0.88 {
		t.Errorf("95%% interval covered the slope in %.0f%% of runs", 100*share)
	}
}

func TestNormalCDF(t *testing.T) {
	for z, want := range map[float64]float64{0: 0.5, 1.959963984540054: 0.975, -1.6448536269514722: 0.05} {
		if got := NormalCDF(z); math.Abs(got-want) > 1e-9 {
			t.Errorf("NormalCDF(%v) = %v, want %v", z, got, want)
		}
	}
}

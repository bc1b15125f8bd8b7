package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestTheilSenSerial: on a level that wanders (AR(1), phi 0.8, no
// trend), the plain test calls a fifth of the series rising; the serial
// one nearer its 2.5 % one-sided rate (above it: lag-1 autocorrelation
// estimated from 40 points is biased low). On independent noise both
// agree, and a real trend through a wander is still found.
func TestTheilSenSerial(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const runs, n = 400, 40
	series := func(phi, slope float64) ([]float64, []float64) {
		x, y := make([]float64, n), make([]float64, n)
		var m float64
		for i := range x {
			m = phi*m + r.NormFloat64()*math.Sqrt(1-phi*phi)
			x[i], y[i] = float64(i), slope*float64(i)+m
		}
		return x, y
	}
	var plain, serial, found int
	for range runs {
		x, y := series(0.8, 0)
		if TheilSen(x, y).Rising() {
			plain++
		}
		if TheilSenSerial(x, y).Rising() {
			serial++
		}
		if x, y = series(0.8, 0.15); TheilSenSerial(x, y).Rising() {
			found++
		}
	}
	if serial > runs*8/100 || plain < 3*serial || plain < runs/10 {
		t.Errorf("wandering level called rising: plain %d, serial %d of %d; want serial <= 8%%, plain >= 10%% and 3 times serial", plain, serial, runs)
	}
	if found < runs*9/10 {
		t.Errorf("a trend of 6 sd across a wander found %d of %d times, want >= 90%%", found, runs)
	}
	x, y := series(0, 0.05)
	p, s := TheilSen(x, y), TheilSenSerial(x, y)
	if p.Slope != s.Slope || s.Hi-s.Lo > 1.5*(p.Hi-p.Lo) {
		t.Errorf("independent noise: plain %+v, serial %+v: want the same slope and about the same interval", p, s)
	}
}

func TestMedian(t *testing.T) {
	v := []float64{5, 1, 4, 2}
	if got := Median(v); got != 3 || v[0] != 5 || v[3] != 2 {
		t.Errorf("Median(5 1 4 2) = %v (input now %v), want 3 and the input unchanged", got, v)
	}
	if got := Median([]float64{7}); got != 7 {
		t.Errorf("Median(7) = %v", got)
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("Median(nil) is not NaN")
	}
}

package stats

import (
	"math"
	"testing"
)

// BenchmarkTheilSen900 fits a 30-minute steady state sampled every 2 s.
func BenchmarkTheilSen900(b *testing.B) {
	x, y := make([]float64, 900), make([]float64, 900)
	for i := range x {
		x[i], y[i] = float64(2*i), 1e6*math.Sin(float64(i))+float64(i)
	}
	b.ReportAllocs()
	for b.Loop() {
		TheilSen(x, y)
	}
}

// BenchmarkChange is the error-rate detector's change-point search at
// its largest (600 blocks).
func BenchmarkChange(b *testing.B) {
	tr, ev := series(1, 600, 1000, func(i int) float64 { return 0.01 })
	for b.Loop() {
		Change(tr, ev, 0.001)
	}
}

package stats

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestTheilSen(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x, y := make([]float64, 200), make([]float64, 200)
	for i := range x {
		x[i] = float64(i)
		y[i] = 3*x[i] + 7 + 20*(r.Float64()-0.5)
	}
	// Five wild outliers do not move a Theil-Sen slope.
	for _, i := range []int{10, 50, 90, 130, 170} {
		y[i] = 1e6
	}
	tr := TheilSen(x, y)
	if math.Abs(tr.Slope-3) > 0.05 || !(tr.Lo < 3 && 3 < tr.Hi) || !tr.Rising() || tr.PRising > 1e-6 {
		t.Errorf("trend %+v, want slope 3 inside [Lo, Hi], rising", tr)
	}
	if math.Abs(tr.Intercept-7) > 5 {
		t.Errorf("intercept %v, want about 7", tr.Intercept)
	}
}

func TestTheilSenNoTrend(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	x, y := make([]float64, 100), make([]float64, 100)
	for i := range x {
		x[i], y[i] = float64(i), r.NormFloat64()
	}
	tr := TheilSen(x, y)
	if tr.Rising() || tr.Falling() || !(tr.Lo < 0 && tr.Hi > 0) || tr.PRising < 0.01 {
		t.Errorf("noise gave a trend: %+v", tr)
	}
}

func TestTheilSenEdges(t *testing.T) {
	if tr := TheilSen([]float64{1, 2, 3}, []float64{1, 2, 3}); tr.N != 3 || tr.Rising() || tr.PRising != 1 {
		t.Errorf("3 points: %+v", tr)
	}
	if tr := TheilSen([]float64{1, 1, 1, 1, 1}, []float64{1, 2, 3, 4, 5}); tr.Slope != 0 || tr.Rising() {
		t.Errorf("equal x: %+v", tr)
	}
	nan := math.NaN()
	if tr := TheilSen([]float64{0, 1, 2, 3, 4, 5, nan}, []float64{0, 2, 4, 6, 8, 10, 3}); tr.N != 6 || tr.Slope != 2 || tr.Lo != 2 || tr.Hi != 2 {
		t.Errorf("NaN point not skipped, or exact line: %+v", tr)
	}
	// Flat with ties: no variance, no trend.
	if tr := TheilSen([]float64{0, 1, 2, 3, 4, 5}, []float64{7, 7, 7, 7, 7, 7}); tr.Slope != 0 || tr.Rising() || tr.Falling() {
		t.Errorf("flat: %+v", tr)
	}
}

func TestTheilSenThinsLongSeries(t *testing.T) {
	n := 5000 // 12.5 M pairs: thinned to about 2,000 points
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i], y[i] = float64(i), 0.5*float64(i)
	}
	if tr := TheilSen(x, y); tr.N > 2001 || math.Abs(tr.Slope-0.5) > 1e-9 {
		t.Errorf("thinned trend %+v", tr)
	}
}

func TestSpearman(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6}
	if r := Spearman(x, []float64{1, 4, 9, 16, 25, 36}); math.Abs(r-1) > 1e-12 {
		t.Errorf("monotone: %v", r)
	}
	if r := Spearman(x, []float64{6, 5, 4, 3, 2, 1}); math.Abs(r+1) > 1e-12 {
		t.Errorf("reversed: %v", r)
	}
	if r := Spearman(x, []float64{2, 2, 2, 2, 2, 2}); r != 0 {
		t.Errorf("constant: %v", r)
	}
	if r := Spearman([]float64{1, 2}, []float64{1, 2}); r != 0 {
		t.Errorf("two points: %v", r)
	}
}

func TestFitUSL(t *testing.T) {
	truth := USL{Lambda: 50, Sigma: 0.05, Kappa: 0.002}
	var n, x []float64
	for _, u := range []float64{1, 2, 4, 8, 16, 24, 32, 48, 64} {
		n, x = append(n, u), append(x, truth.Throughput(u))
	}
	u, err := FitUSL(n, x)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(u.Lambda-50) > 0.01 || math.Abs(u.Sigma-0.05) > 1e-4 || math.Abs(u.Kappa-0.002) > 1e-5 || u.R2 < 0.9999 {
		t.Errorf("fit %+v, want %+v", u, truth)
	}
	wantPeak := math.Sqrt((1 - 0.05) / 0.002)
	if math.Abs(u.PeakN-wantPeak) > 0.1 || math.Abs(u.PeakX-truth.Throughput(wantPeak)) > 0.1 {
		t.Errorf("peak %v at %v, want %v", u.PeakX, u.PeakN, wantPeak)
	}
}

func TestFitUSLLinearAndErrors(t *testing.T) {
	// Perfectly linear: no contention, no coherency, no peak.
	u, err := FitUSL([]float64{1, 2, 3, 4}, []float64{10, 20, 30, 40})
	if err != nil || math.Abs(u.Sigma) > 1e-9 || math.Abs(u.Kappa) > 1e-9 || u.HasPeak() || u.Ceiling() != 0 {
		t.Errorf("linear: %+v, %v", u, err)
	}
	if _, err := FitUSL([]float64{1, 2}, []float64{10, 20}); err == nil {
		t.Error("two points fitted")
	}
	if _, err := FitUSL([]float64{1, 2, 3}, []float64{0, -1, math.Inf(1)}); err == nil {
		t.Error("unusable points fitted")
	}
}

func TestSelectK(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 2, 3, 10, 101, 1000} {
		for _, dup := range []bool{false, true} {
			a := make([]float64, n)
			for i := range a {
				a[i] = r.Float64()
				if dup {
					a[i] = float64(r.IntN(3))
				}
			}
			sorted := slices.Clone(a)
			slices.Sort(sorted)
			for _, k := range []int{0, n / 3, n / 2, n - 1} {
				if got := selectK(slices.Clone(a), k); got != sorted[k] {
					t.Fatalf("n=%d dup=%v k=%d: %v, want %v", n, dup, k, got, sorted[k])
				}
			}
			if got, want := medianSelect(slices.Clone(a)), median(sorted); got != want {
				t.Fatalf("n=%d dup=%v: median %v, want %v", n, dup, got, want)
			}
		}
	}
}

// median of a sorted, non-empty slice.
func median(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// TestFitUSLAlwaysFinite fits the law to points at the edges of its domain
// and checks that every figure it returns is finite.
func TestFitUSLAlwaysFinite(t *testing.T) {
	cases := [][2][]float64{
		{{1, 2, 3}, {10, 20, 30}},                       // linear: no peak
		{{1, 2, 3, 4}, {10, 10, 10, 10}},                // flat: Sigma 1
		{{1, 2, 3, 4}, {40, 20, 13, 10}},                // falling from one user
		{{1, 1, 1}, {10, 11, 12}},                       // one concurrency
		{{1, 2, 3}, {1e-300, 2e-300, 3e-300}},           // tiny throughputs
		{{1, 2, 3}, {1e300, 2e300, 3e300}},              // huge throughputs
		{{1, 1e6, 2e6, 3e6}, {1, 1e6, 2e6, 3e6}},        // wide range
		{{1, 2, 3, math.NaN()}, {1, 2, 3, math.Inf(1)}}, // unusable points dropped
	}
	for _, c := range cases {
		u, err := FitUSL(c[0], c[1])
		if err != nil {
			continue // refusing is fine; an infinite figure is not
		}
		if !finite(u.Lambda, u.Sigma, u.Kappa, u.R2, u.PeakN, u.PeakX, u.Ceiling()) {
			t.Errorf("%v -> %v: non-finite fit %+v", c[0], c[1], u)
		}
		if _, err := json.Marshal(u); err != nil {
			t.Errorf("%v -> %v: %v", c[0], c[1], err)
		}
	}
}

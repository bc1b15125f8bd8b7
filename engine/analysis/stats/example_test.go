package stats_test

import (
	"fmt"

	"github.com/soaklab/soak/engine/analysis/stats"
)

func ExampleTheilSen() {
	// Live heap after each GC (MB) over ten minutes, with one GC that
	// ran late (the 40 MB outlier): Theil-Sen ignores it.
	minutes := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	heapMB := []float64{100, 102, 104, 106, 140, 110, 112, 114, 116, 118}
	tr := stats.TheilSen(minutes, heapMB)
	fmt.Printf("%.1f MB/min (95%% CI %.1f to %.1f), rising: %v\n", tr.Slope, tr.Lo, tr.Hi, tr.Rising())
	// Output: 2.0 MB/min (95% CI 2.0 to 2.0), rising: true
}

func ExampleFitUSL() {
	users := []float64{1, 5, 10, 20, 40}
	rps := []float64{100, 455, 769, 1111, 1194}
	u, err := stats.FitUSL(users, rps)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("sigma %.3f, kappa %.4f, peak %.0f RPS at %.0f users, R² %.3f\n", u.Sigma, u.Kappa, u.PeakX, u.PeakN, u.R2)
	// Output: sigma 0.025, kappa 0.0009, peak 1211 RPS at 33 users, R² 1.000
}

// Package stats holds the statistics soak's verdicts rest on, free of any
// soak type: a robust trend (Theil-Sen's slope with Kendall's confidence
// interval and test), Spearman's rank correlation, and a fit of
// Gunther's Universal Scalability Law to throughput at rising
// concurrency. engine/analysis applies them to a run.
//
//	// Live heap after each GC (MB) over ten minutes, with one GC that ran late.
//	tr := stats.TheilSen([]float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9},
//		[]float64{100, 102, 104, 106, 140, 110, 112, 114, 116, 118})
//	fmt.Println(tr.Slope, tr.Rising()) // 2 true: the outlier moves nothing
//
//	u, err := stats.FitUSL([]float64{1, 5, 10, 20, 40}, []float64{100, 455, 769, 1111, 1194})
//	fmt.Println(u.PeakN, u.PeakX, err) // about 33 users, 1211 requests/s
//
// Every function is pure and safe for concurrent use; inputs are not
// modified. Their cost is bounded whatever the input's length: TheilSen
// thins a series to about 1,000 points (500,000 pairs).
package stats

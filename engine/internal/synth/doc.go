// Package synth builds soak runs without running anything, for tests of
// the analysis and the report: engine intervals and probe samples on one
// clock, from functions of time, in the microseconds a test takes.
//
//	r := synth.New() // 6 s baseline, 20 s warm-up, 300 s steady, 6 s drain
//	r.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
//		return synth.Snap(uint64(20<<20+1e6*max(t, 0)), uint64(10+t/2), 50, synth.RequestsAt(t)) // a leak
//	})
//	r.AddIntervals(synth.SteadyLoad)
//	res, err := analysis.Analyze(r.Engine(), r.Capture, analysis.DefaultThresholds())
//
// It is test support: no package outside tests imports it.
package synth

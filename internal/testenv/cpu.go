package testenv

import "testing"

// CPUPerOp makes benchmark b report the process's CPU time (user and
// system, the GC's included) per operation as "cpu-ns/op", beside ns/op:
// on a shared, overloaded machine wall time mostly measures waiting for a
// core, CPU time what the code costs. Call it after the setup and defer
// the function it returns; where the platform does not say, it reports
// nothing.
func CPUPerOp(b *testing.B) (stop func()) {
	before, ok := ProcessCPU()
	if !ok {
		return func() {}
	}
	return func() {
		if after, ok := ProcessCPU(); ok && b.N > 0 {
			b.ReportMetric(float64(after-before)/float64(b.N), "cpu-ns/op")
		}
	}
}

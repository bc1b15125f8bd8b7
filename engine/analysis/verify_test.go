package analysis

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/soaklab/soak/engine/internal/synth"
)

func TestThresholdsValidate(t *testing.T) {
	if err := DefaultThresholds().Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (Thresholds{}).Validate(); err != nil {
		t.Errorf("zero thresholds (no target): %v", err)
	}
	for _, th := range []Thresholds{{P95: -1}, {Pool: 1.5}, {CPU: -0.1}, {Throughput: -1}, {Throughput: 2e9}, {Memory: math.NaN()}} {
		var te *ThresholdError
		if err := th.Validate(); err == nil || !strings.Contains(err.Error(), "analysis: Thresholds.") || !errors.As(err, &te) {
			t.Errorf("%+v: %v", th, err)
		}
	}
	// Every field out of range is reported, in field order.
	err := Thresholds{P50: -1, CPU: 2}.Validate()
	if err == nil || err.Error() != "analysis: Thresholds.P50: -1ns is negative (0 turns the target off)\n"+
		"analysis: Thresholds.CPU: 2 is not a fraction in [0, 1] (0.005 is 0.5%)" {
		t.Errorf("two bad fields: %v", err)
	}
}

// fakeT records what Verify reports.
type fakeT struct{ errs []string }

func (f *fakeT) Helper() {}
func (f *fakeT) Errorf(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func TestVerify(t *testing.T) {
	s := synth.New()
	s.AddSamples(synth.PoolSeries(100, 250))
	s.AddIntervals(synth.SlowWhile(100, 250))
	r := analyze(s)
	var ft fakeT
	Verify(&ft, r)
	if len(ft.errs) != 1 || !strings.Contains(ft.errs[0], "pool-exhaustion [svc]: detected") || !strings.Contains(ft.errs[0], "next:") {
		t.Fatalf("Verify reported %q", ft.errs)
	}
	ft = fakeT{}
	Verify(&ft, r, IgnoreDetector(DetectorPoolExhaustion))
	if len(ft.errs) != 0 {
		t.Errorf("ignored detector reported: %q", ft.errs)
	}
	ft = fakeT{}
	Verify(&ft, r, IgnoreDetector(DetectorPoolExhaustion), RequireTargets())
	if len(ft.errs) == 0 || !strings.Contains(strings.Join(ft.errs, "\n"), "target missed") {
		t.Errorf("missed targets not reported: %q", ft.errs)
	}
	if r.ExitCode() != ExitUnstable || r.Err() == nil {
		t.Errorf("exit %d, err %v", r.ExitCode(), r.Err())
	}
}

func TestExitCodes(t *testing.T) {
	ok := synth.New()
	ok.AddSamples(synth.GCHeap(func(float64) float64 { return 5e6 }, 0, 1))
	ok.AddIntervals(func(float64) (int64, int64, int64, int64) { return 150, 0, 0, 2000 })
	if r := analyze(ok); r.ExitCode() != ExitOK || r.Err() != nil {
		t.Errorf("clean run: %d, %v", r.ExitCode(), r.Err())
	}
	slow := synth.New()
	slow.AddSamples(synth.GCHeap(func(float64) float64 { return 5e6 }, 0, 1))
	slow.AddIntervals(func(float64) (int64, int64, int64, int64) { return 100, 0, 0, 900_000 })
	if r := analyze(slow); r.ExitCode() != ExitTargetMissed || !strings.Contains(r.Err().Error(), "P95 Latency") {
		t.Errorf("slow run: %d, %v", r.ExitCode(), r.Err())
	}
}

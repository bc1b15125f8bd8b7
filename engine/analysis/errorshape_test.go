package analysis

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/soaklab/soak/engine/internal/synth"
)

// errorRun is a synthetic run of 200 requests a second whose failures
// are drawn at rate(t) (t in seconds into the load) from a seeded source.
func errorRun(seed uint64, rate func(t float64, r *rand.Rand) float64) *Result {
	r := rand.New(rand.NewPCG(seed, 3))
	s := cleanRun()
	s.Intervals = nil
	s.AddIntervals(func(t float64) (int64, int64, int64, int64) {
		p := rate(t, r)
		var fail int64
		for range 200 {
			if r.Float64() < p {
				fail++
			}
		}
		return 200, fail, 0, 2000
	})
	res, err := Analyze(s.Engine(), s.Capture, DefaultThresholds())
	if err != nil {
		panic(err)
	}
	return res
}

// The shapes of issue 11: a late step is not "stable", and the advice
// follows the shape found.
func TestErrorShapes(t *testing.T) {
	end := synth.New().End.Sub(synth.New().Start).Seconds()
	cases := []struct {
		name    string
		rate    func(t float64, r *rand.Rand) float64
		shape   string
		verdict Verdict
		words   string
	}{
		{"late step 0,0,24%", func(t float64, _ *rand.Rand) float64 {
			if t > 2*end/3 {
				return 0.243
			}
			return 0
		}, shapeStepUp, VerdictDetected, "stepped up"},
		{"outage", func(t float64, _ *rand.Rand) float64 {
			if t > end/3 && t < 2*end/3 {
				return 0.5
			}
			return 0.002
		}, shapeEpisode, VerdictDetected, "episode"},
		{"ramp", func(t float64, _ *rand.Rand) float64 { return 0.05 * t / end }, shapeRising, VerdictDetected, "rises"},
		{"warm-up", func(t float64, _ *rand.Rand) float64 {
			if t < 20 {
				return 0.3
			}
			return 0
		}, shapeStepDown, VerdictWarning, "warm-up"},
		{"steady 0.2% with bursts", func(t float64, r *rand.Rand) float64 {
			if r.IntN(60) == 0 {
				return 0.1
			}
			return 0.002
		}, shapeStable, VerdictOK, "stable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := errorRun(1, c.rate).Find(DetectorErrorRate, "")
			if f.Errors.Trend != c.shape || f.Verdict != c.verdict || !strings.Contains(f.Summary+f.NextStep, c.words) {
				t.Fatalf("shape %q verdict %s, want %q %s (%q)\n%s", f.Errors.Trend, f.Verdict, c.shape, c.verdict, c.words, describeFinding(f))
			}
			if c.shape == shapeStepUp && strings.Contains(f.NextStep, "not from wear") {
				t.Errorf("a step advised as steady: %s", f.NextStep)
			}
		})
	}
}

// Steady error rates, with binomial noise or bursts, are called stable
// in nearly every run: the change points' false alarms stay rare.
func TestErrorShapeNoFalseChanges(t *testing.T) {
	const runs = 40
	unstable := 0
	for seed := range uint64(runs) {
		f := errorRun(seed, func(_ float64, r *rand.Rand) float64 { return 0.003 * (0.5 + r.Float64()) }).Find(DetectorErrorRate, "")
		if f.Errors.Trend != shapeStable {
			unstable++
			t.Logf("seed %d: %s", seed, describeFinding(f))
		}
	}
	t.Logf("%d of %d steady runs not called stable", unstable, runs)
	if unstable > 1 {
		t.Errorf("%d of %d steady runs not called stable", unstable, runs)
	}
}

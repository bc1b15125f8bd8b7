package pprofsite

import (
	"math"
	"testing"
)

func TestClassifySite(t *testing.T) {
	ts := []float64{0, 30, 60, 90, 120, 150, 180, 210, 240, 270}
	series := func(f func(t float64) float64) []float64 {
		v := make([]float64, len(ts))
		for i, x := range ts {
			v[i] = f(x)
		}
		return v
	}
	fill := series(func(t float64) float64 { return math.Min(t/120, 1) })
	cases := []struct {
		name  string
		v     []float64
		cache []float64
		want  TrendClass
	}{
		{"linear", series(func(t float64) float64 { return 1e6 + 1e4*t }), nil, Growing},
		{"plateau", series(func(t float64) float64 { return 1e6 * math.Min(t, 90) }), nil, Plateaued},
		{"slowing", series(func(t float64) float64 { return 1e8 * (1 - math.Exp(-t/150)) }), nil, Slowing},
		{"follows the cache", series(func(t float64) float64 { return 5e6 * math.Min(t/120, 1) }), fill, Cache},
		{"linear beside a cache", series(func(t float64) float64 { return 1e4 * t }), fill, Growing},
	}
	for _, c := range cases {
		if got := classify(ts, c.v, c.cache, 0.25); got.Class != c.want {
			t.Errorf("%s: class %d (%s), want %d", c.name, got.Class, got.Words, c.want)
		}
	}
}

package compare

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
)

// Bootstrap settings (docs/compare.md): Replicates resamples per check;
// Level is the two-sided interval's coverage; MinWindows the fewest
// windows with requests each run needs for a check to be decided.
const (
	Replicates = 1000
	Level      = 0.99
	MinWindows = 5
	// seedBase seeds every check's generator, with the check's name:
	// the same inputs give the same intervals, run after run.
	seedBase = 0x50a4c0
)

// statistic computes a run's figure from its windows' samples, picked by
// idx (a resample; nil: all of them, in order).
type statistic func(s []Sample, idx []int) float64

// estimate is a bootstrapped change: the point estimate, its interval at
// Level, and the share of replicates on the estimate's side of zero.
type estimate struct {
	base, new, change, lo, hi, confidence float64
}

// bootstrap estimates change(stat(new), stat(base)) with a moving-block
// bootstrap of each run's windows, seeded by name. Blocks are
// round(n^(1/3)) windows long (at least 1), the usual rate for a
// series' variance.
func bootstrap(name string, base, new []Sample, stat statistic, change func(b, n float64) float64) estimate {
	e := estimate{base: stat(base, nil), new: stat(new, nil)}
	e.change = change(e.base, e.new)
	h := fnv.New64a()
	h.Write([]byte(name))
	rng := rand.New(rand.NewPCG(seedBase, h.Sum64()))
	reps := make([]float64, 0, Replicates)
	bi, ni := make([]int, len(base)), make([]int, len(new))
	for range Replicates {
		resample(rng, bi)
		resample(rng, ni)
		c := change(stat(base, bi), stat(new, ni))
		if !math.IsNaN(c) && !math.IsInf(c, 0) {
			reps = append(reps, c)
		}
	}
	if len(reps) == 0 {
		e.lo, e.hi = e.change, e.change
		return e
	}
	slices.Sort(reps)
	tail := (1 - Level) / 2
	e.lo, e.hi = quantile(reps, tail), quantile(reps, 1-tail)
	var side int
	for _, r := range reps {
		if (e.change > 0 && r > 0) || (e.change < 0 && r < 0) {
			side++
		}
	}
	e.confidence = float64(side) / float64(len(reps))
	return e
}

// resample fills idx with a moving-block resample of len(idx) windows.
func resample(rng *rand.Rand, idx []int) {
	n := len(idx)
	if n == 0 {
		return
	}
	l := max(1, int(math.Round(math.Cbrt(float64(n)))))
	for i := 0; i < n; {
		start := rng.IntN(n - l + 1)
		for k := 0; k < l && i < n; k++ {
			idx[i] = start + k
			i++
		}
	}
}

// quantile of sorted xs, linear between order statistics.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	pos := q * float64(len(xs)-1)
	i := int(pos)
	if i >= len(xs)-1 {
		return xs[len(xs)-1]
	}
	f := pos - float64(i)
	return xs[i]*(1-f) + xs[i+1]*f
}

// each calls f on every sample idx picks (every sample, in order, for
// nil idx).
func each(s []Sample, idx []int, f func(*Sample)) {
	if idx == nil {
		for i := range s {
			f(&s[i])
		}
		return
	}
	for _, j := range idx {
		f(&s[j])
	}
}

// medianOf is the median of f over the samples: the statistic of a
// latency quantile (the median window's p95, robust to one bad window).
// The statistic it returns keeps a buffer: one bootstrap at a time.
func medianOf(f func(*Sample) float64) statistic {
	var vs []float64
	return func(s []Sample, idx []int) float64 {
		vs = vs[:0]
		each(s, idx, func(x *Sample) { vs = append(vs, f(x)) })
		slices.Sort(vs)
		return quantile(vs, 0.5)
	}
}

// meanOf is the mean of f over the samples.
func meanOf(f func(*Sample) float64) statistic {
	return func(s []Sample, idx []int) float64 {
		var sum float64
		var n int
		each(s, idx, func(x *Sample) { sum += f(x); n++ })
		if n == 0 {
			return 0
		}
		return sum / float64(n)
	}
}

// errorRate is failures over requests, pooled over the windows.
func errorRate(s []Sample, idx []int) float64 {
	var req, fail int64
	each(s, idx, func(x *Sample) { req += x.Requests; fail += x.Failures })
	if req == 0 {
		return 0
	}
	return float64(fail) / float64(req)
}

// relative is new/base - 1; NaN when base is 0.
func relative(b, n float64) float64 {
	if b == 0 {
		if n == 0 {
			return 0
		}
		return math.NaN()
	}
	return n/b - 1
}

// difference is new - base.
func difference(b, n float64) float64 { return n - b }

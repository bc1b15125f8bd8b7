package pprofsite

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/soaklab/soak/engine/analysis/stats"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
	"github.com/soaklab/soak/probe"
)

// MinTrendProfiles is the fewest heap profiles (a steady state's start,
// those during it, its end) a per-site trend is fitted to.
const MinTrendProfiles = 4

// TrendClass is a site's trend, in the order suspects are ranked.
type TrendClass int

// Per-site trend classes.
const (
	Growing   TrendClass = iota // still grows in the second half
	Slowing                     // grows, but its second half well below its first
	Cache                       // follows a declared bounded cache's filling
	Plateaued                   // grew, then flat
)

// Trend is one allocation site's in-use bytes across heap profiles.
type Trend struct {
	Class TrendClass
	// Whole and Late are the site's growth rates (bytes per second) over
	// the profiles and over their second half.
	Whole, Late float64
	// Words says the trend: "still growing: 2.4 MB over the steady
	// state's second half", "grew early, then flat".
	Words string
}

// Trends fits each site's in-use bytes over heap profiles (a steady
// state's, in time order; samples whose stack skip reports left out, see
// [SiteBytes]), for the sites in want, and classes them: still growing,
// slowing, following a declared cache (cacheAt gives the caches' summed
// fill, 0..1 each, at a time; nil when none was declared), or plateaued.
// It returns nil (and why) when there are fewer than MinTrendProfiles
// readable profiles. A site is slowing when its second half's rate is at
// least plateau (0..1) of its first's, plateaued below that.
func Trends(profs []*capture.Profile, skip func([]probe.Frame) bool, want []Site, cacheAt func(time.Time) float64, plateau float64) (map[Site]Trend, string) {
	if len(profs) < MinTrendProfiles {
		return nil, fmt.Sprintf("%d heap profiles in the steady state, %d are needed for a trend per site", len(profs), MinTrendProfiles)
	}
	var ts []float64
	var maps []map[Site]int64
	t0 := profs[0].Time
	for _, p := range profs {
		m, err := SiteBytes(p.Data, skip)
		if err != nil {
			continue
		}
		ts = append(ts, p.Time.Sub(t0).Seconds())
		maps = append(maps, m)
	}
	if len(maps) < MinTrendProfiles {
		return nil, fmt.Sprintf("%d readable heap profiles in the steady state, %d are needed for a trend per site", len(maps), MinTrendProfiles)
	}
	var cache []float64
	if cacheAt != nil {
		for _, p := range profs {
			cache = append(cache, cacheAt(p.Time))
		}
		if slices.Max(cache)-slices.Min(cache) <= 0 {
			cache = nil
		}
	}
	out := map[Site]Trend{}
	for _, k := range want {
		v := make([]float64, len(maps))
		for i, m := range maps {
			v[i] = float64(m[k])
		}
		out[k] = classify(ts, v, cache, plateau)
	}
	return out, ""
}

// classify classes one site's series v at times ts (seconds).
// The halves are split at the middle time; each half's rate is its
// Theil-Sen slope when it has 5 points, else its end-to-end change.
func classify(ts, v, cache []float64, plateau float64) Trend {
	n := len(ts)
	mid := n / 2
	rate := func(x, y []float64) float64 {
		if tr := stats.TheilSen(x, y); tr.N >= stats.MinPoints {
			return tr.Slope
		}
		if span := x[len(x)-1] - x[0]; span > 0 {
			return (y[len(y)-1] - y[0]) / span
		}
		return 0
	}
	st := Trend{Whole: rate(ts, v), Late: rate(ts[mid:], v[mid:])}
	early := rate(ts[:mid+1], v[:mid+1])
	grew := v[n-1] - v[0]
	lateGrowth := st.Late * (ts[n-1] - ts[mid])
	switch {
	case cache != nil && grew > 0 && followsCache(ts, v, cache):
		st.Class = Cache
		st.Words = "follows the declared cache's filling"
	case st.Whole > 0 && st.Late >= 0.7*st.Whole:
		st.Class = Growing
		st.Words = fmt.Sprintf("still growing: %s over the steady state's second half", human.Bytes(int64(lateGrowth)))
	case st.Late > 0 && early > 0 && st.Late >= plateau*early:
		st.Class = Slowing
		st.Words = fmt.Sprintf("slowing: %s over the second half", human.Bytes(int64(lateGrowth)))
	default:
		st.Class = Plateaued
		st.Words = "grew early, then flat"
	}
	return st
}

// followsCache reports a site whose bytes follow the caches' fill better
// than they follow time: the correlation with the fill is high (0.9) and
// above the one with time. A site growing evenly beside a cache that
// fills evenly follows both alike, and is not set apart.
func followsCache(ts, v, cache []float64) bool {
	rc, rt := corr(v, cache), corr(v, ts)
	return rc >= 0.9 && rc > rt+0.02
}

// corr is Pearson's correlation of x and y (0 when either is constant).
func corr(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	if sxx == 0 || syy == 0 {
		return 0
	}
	return sxy / math.Sqrt(sxx*syy)
}

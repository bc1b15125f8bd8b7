package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/soaklab/soak/engine/analysis/pprofsite"
	"github.com/soaklab/soak/engine/analysis/stats"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
	"github.com/soaklab/soak/probe"
)

// minSiteProfiles is the fewest steady-state heap profiles (its start,
// those during it, its end) a per-site trend is fitted to.
const minSiteProfiles = 4

// Per-site trend classes, in the order suspects are ranked.
const (
	siteGrowing   = iota // still grows in the steady state's second half
	siteSlowing          // grows, but its second half well below its first
	siteCache            // follows a declared bounded cache's filling
	sitePlateaued        // grew, then flat
)

// siteTrend is one allocation site's in-use bytes across the steady
// state's heap profiles.
type siteTrend struct {
	class int
	// whole and late are the site's growth rates (bytes per second) over
	// the profiles and over their second half.
	whole, late float64
	words       string
}

// siteOwner says whose an allocation stack is: "generator", "driver",
// "probe", or "" for the service's. drivers lists the pools that grew
// (growingPools).
func siteOwner(stack []probe.Frame, drivers []string) string {
	switch {
	case generatorSite(stack):
		return "generator"
	case len(drivers) > 0 && driverSite(stack, drivers):
		return "driver"
	case soakOwnSite(stack):
		return "probe"
	}
	return ""
}

// soakOwnSite reports an allocation whose site (its first frame in the
// application's code) is soak's probe or middleware, which the service
// links in: the probe's snapshot buffers (probe.writeJSON), its
// start-up tables (probe.init.func1), its /proc reads (probe.countFDs).
// Stacks that pass through soak's middleware to the service's handler
// have their site in the handler, and stay the service's.
func soakOwnSite(stack []probe.Frame) bool {
	fn := pprofsite.Of(stack).Function
	return strings.HasPrefix(fn, "github.com/soaklab/soak/probe") || strings.HasPrefix(fn, "github.com/soaklab/soak/middleware")
}

// siteTrends fits each site's in-use bytes over the steady state's heap
// profiles, for the sites in want, and classes them: still growing,
// slowing, following a declared cache (cacheAt gives the caches' summed
// fill, 0..1 each, at a time; nil when none was declared), or plateaued.
// It returns nil (and why) when there are fewer than minSiteProfiles
// readable profiles.
func siteTrends(profs []*capture.Profile, drivers []string, want []pprofsite.Site, cacheAt func(time.Time) float64) (map[pprofsite.Site]siteTrend, string) {
	if len(profs) < minSiteProfiles {
		return nil, fmt.Sprintf("%d heap profiles in the steady state, %d are needed for a trend per site", len(profs), minSiteProfiles)
	}
	var ts []float64
	var maps []map[pprofsite.Site]int64
	t0 := profs[0].Time
	for _, p := range profs {
		m, err := pprofsite.SiteBytes(p.Data, func(fs []probe.Frame) bool { return siteOwner(fs, drivers) != "" })
		if err != nil {
			continue
		}
		ts = append(ts, p.Time.Sub(t0).Seconds())
		maps = append(maps, m)
	}
	if len(maps) < minSiteProfiles {
		return nil, fmt.Sprintf("%d readable heap profiles in the steady state, %d are needed for a trend per site", len(maps), minSiteProfiles)
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
	out := map[pprofsite.Site]siteTrend{}
	for _, k := range want {
		v := make([]float64, len(maps))
		for i, m := range maps {
			v[i] = float64(m[k])
		}
		out[k] = classifySite(ts, v, cache)
	}
	return out, ""
}

// classifySite classes one site's series v at times ts (seconds).
// The halves are split at the middle time; each half's rate is its
// Theil-Sen slope when it has 5 points, else its end-to-end change.
func classifySite(ts, v, cache []float64) siteTrend {
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
	st := siteTrend{whole: rate(ts, v), late: rate(ts[mid:], v[mid:])}
	early := rate(ts[:mid+1], v[:mid+1])
	grew := v[n-1] - v[0]
	lateGrowth := st.late * (ts[n-1] - ts[mid])
	switch {
	case cache != nil && grew > 0 && followsCache(ts, v, cache):
		st.class = siteCache
		st.words = "follows the declared cache's filling"
	case st.whole > 0 && st.late >= 0.7*st.whole:
		st.class = siteGrowing
		st.words = fmt.Sprintf("still growing: %s over the steady state's second half", human.Bytes(int64(lateGrowth)))
	case st.late > 0 && early > 0 && st.late >= plateauRatio*early:
		st.class = siteSlowing
		st.words = fmt.Sprintf("slowing: %s over the second half", human.Bytes(int64(lateGrowth)))
	default:
		st.class = sitePlateaued
		st.words = "grew early, then flat"
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

// rankByTrend orders the suspects by their site's trend (still growing
// first, then slowing, then following a cache, then plateaued), each
// class by growth, and says each one's trend in its Detail.
func rankByTrend(sus []Suspect, trends map[pprofsite.Site]siteTrend) {
	class := func(s *Suspect) int {
		if t, ok := trends[pprofsite.Site{Function: s.Function, File: s.File, Line: s.Line}]; ok {
			return t.class
		}
		return siteGrowing
	}
	for i := range sus {
		if t, ok := trends[pprofsite.Site{Function: sus[i].Function, File: sus[i].File, Line: sus[i].Line}]; ok {
			sus[i].Detail += "; " + t.words
		}
	}
	slices.SortStableFunc(sus, func(a, b Suspect) int {
		return cmp.Or(cmp.Compare(class(&a), class(&b)), cmp.Compare(b.Value, a.Value))
	})
}

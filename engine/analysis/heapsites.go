package analysis

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/soaklab/soak/engine/analysis/pprofsite"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/probe"
)

// siteOwner says whose an allocation stack is (pprofsite.OwnerOf).
// drivers lists the pools that grew (growingPools): "pgx pool ..." sets
// pgx's allocations apart, "Redis ..." go-redis's.
func siteOwner(stack []probe.Frame, drivers []string) pprofsite.Owner {
	var d pprofsite.Drivers
	for _, p := range drivers {
		d.PGX = d.PGX || strings.HasPrefix(p, "pgx ")
		d.Redis = d.Redis || strings.HasPrefix(p, "Redis ")
	}
	return pprofsite.OwnerOf(stack, d)
}

// siteTrends is pprofsite.Trends of the service's sites (soak's own,
// the generator's and growing drivers' left out), a site slowing when
// its second half grows at least plateauRatio of its first.
func siteTrends(profs []*capture.Profile, drivers []string, want []pprofsite.Site, cacheAt func(time.Time) float64) (map[pprofsite.Site]pprofsite.Trend, string) {
	return pprofsite.Trends(profs, func(fs []probe.Frame) bool { return siteOwner(fs, drivers) != pprofsite.OwnerService }, want, cacheAt, plateauRatio)
}

// rankByTrend orders the suspects by their site's trend (still growing
// first, then slowing, then following a cache, then plateaued), each
// class by growth, and says each one's trend in its Detail.
func rankByTrend(sus []Suspect, trends map[pprofsite.Site]pprofsite.Trend) {
	class := func(s *Suspect) int {
		if t, ok := trends[pprofsite.Site{Function: s.Function, File: s.File, Line: s.Line}]; ok {
			return int(t.Class)
		}
		return int(pprofsite.Growing)
	}
	for i := range sus {
		if t, ok := trends[pprofsite.Site{Function: sus[i].Function, File: sus[i].File, Line: sus[i].Line}]; ok {
			sus[i].Detail += "; " + t.Words
		}
	}
	slices.SortStableFunc(sus, func(a, b Suspect) int {
		return cmp.Or(cmp.Compare(class(&a), class(&b)), cmp.Compare(b.Value, a.Value))
	})
}

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

// siteTrends is pprofsite.Trends of the service's sites (soak's own,
// the generator's and growing drivers' left out), a site slowing when
// its second half grows at least plateauRatio of its first.
func siteTrends(profs []*capture.Profile, drivers []string, want []pprofsite.Site, cacheAt func(time.Time) float64) (map[pprofsite.Site]pprofsite.Trend, string) {
	return pprofsite.Trends(profs, func(fs []probe.Frame) bool { return siteOwner(fs, drivers) != "" }, want, cacheAt, plateauRatio)
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

package capture

import (
	"fmt"
	"slices"
	"strings"

	"github.com/soaklab/soak/probe"
)

// MaxSteadyHeaps is the most heap profiles the runner takes between the
// steady state's start and end (besides those two), spread evenly: enough
// for a per-site trend, few enough to bound a run's files and the
// service's work (each is one heap profile of a few hundred KB).
const MaxSteadyHeaps = 8

// SteadyHeapMoment is the moment of the i-th (from 1) heap profile taken
// during the steady state between its start and end: "steady-01", ...
func SteadyHeapMoment(i int) Moment { return Moment(fmt.Sprintf("steady-%02d", i)) }

// steadyHeap reports a moment of SteadyHeapMoment.
func (m Moment) steadyHeap() bool {
	n, ok := strings.CutPrefix(string(m), "steady-")
	if !ok || n == "" {
		return false
	}
	for _, c := range n {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// SteadyHeaps returns the heap profiles of source over the steady state
// that have data, in time order: the steady state's start, those taken
// during it ([SteadyHeapMoment]) and its end.
func (c *Capture) SteadyHeaps(source string) []*Profile {
	var out []*Profile
	for i := range c.Profiles {
		p := &c.Profiles[i]
		if p.Source != source || p.Kind != probe.ProfileHeap || len(p.Data) == 0 {
			continue
		}
		if p.Moment == MomentSteadyStart || p.Moment == MomentSteadyEnd || p.Moment.steadyHeap() {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b *Profile) int { return a.Time.Compare(b.Time) })
	return out
}

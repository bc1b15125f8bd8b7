package probe

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// DefaultMaxHolders is the number of (acquiring stack, route) pairs a
// [HoldProfile] tracks; the rest are summed under one overflow entry.
const DefaultMaxHolders = 32

// OverflowHolder is the Function of the [HolderSnapshot] that sums the
// releases a full [HoldProfile] could not give an entry of their own.
const OverflowHolder = "(other holders)"

// HoldProfile aggregates, per acquiring call stack and route, how long
// the resources taken there (pool connections) were held and how much of
// that time they were busy (running statements): the functions that keep
// a connection longest beyond their statements starve a pool. Create it
// with [Probe.NewHoldProfile]; an integration calls [HoldProfile.Record]
// when a resource is given back. Memory is bounded: at most max entries,
// each a few words; stacks are symbolised only by [HoldProfile.Snapshot].
// Safe for concurrent use.
type HoldProfile struct {
	p   *Probe
	max int

	mu       sync.Mutex
	m        map[holderKey]*holderAgg
	overflow holderAgg
}

type holderKey struct {
	stack         stackID
	method, route string
}

type holderAgg struct {
	count           uint64
	held, busy, top time.Duration
}

// NewHoldProfile returns a HoldProfile of at most max entries
// ([DefaultMaxHolders] when max <= 0).
func (p *Probe) NewHoldProfile(max int) *HoldProfile {
	p.init()
	if max <= 0 {
		max = DefaultMaxHolders
	}
	return &HoldProfile{p: p, max: max, m: map[holderKey]*holderAgg{}}
}

// Record adds one release of a resource taken with h: held is how long it
// was out (from h to its release), busy the part of that time its
// statements ran. It does not allocate once the entry exists; a nil
// profile or the zero Hold records nothing.
func (hp *HoldProfile) Record(h Hold, held, busy time.Duration) {
	if hp == nil || h.IsZero() {
		return
	}
	k := holderKey{stack: h.stack}
	if h.info != nil {
		k.method, k.route = h.info.Method, h.info.Route
	}
	hp.mu.Lock()
	defer hp.mu.Unlock()
	a, ok := hp.m[k]
	if !ok {
		if len(hp.m) >= hp.max {
			a = &hp.overflow
		} else {
			a = &holderAgg{}
			hp.m[k] = a
		}
	}
	a.count++
	a.held += held
	a.busy += min(busy, held)
	a.top = max(a.top, held)
}

// HolderSnapshot is one acquiring stack and route of a [HoldProfile],
// cumulative since the probe started.
type HolderSnapshot struct {
	// Function, File and Line are the stack's first frame outside the
	// probe and the driver: the code that took the resource ("" when the
	// stack was not sampled, see [WithStackSampling]).
	Function string `json:"function"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	// Method and Route are the request's, when the resource was taken
	// for one the middleware recorded.
	Method string `json:"method,omitempty"`
	Route  string `json:"route,omitempty"`
	// Releases counts the resources given back; HeldMicros sums how long
	// they were held, BusyMicros how long their statements ran within
	// that (µs); MaxHeldMicros is the longest hold.
	Releases      uint64 `json:"releases"`
	HeldMicros    int64  `json:"held_us"`
	BusyMicros    int64  `json:"busy_us"`
	MaxHeldMicros int64  `json:"max_held_us"`
}

// Snapshot returns the profile's entries, the most time held beyond the
// statements first; nil for a nil profile.
func (hp *HoldProfile) Snapshot() []HolderSnapshot {
	if hp == nil {
		return nil
	}
	type entry struct {
		k holderKey
		a holderAgg
	}
	hp.mu.Lock()
	es := make([]entry, 0, len(hp.m)+1)
	for k, a := range hp.m {
		es = append(es, entry{k, *a})
	}
	ov := hp.overflow
	hp.mu.Unlock()
	out := make([]HolderSnapshot, 0, len(es)+1)
	for _, e := range es {
		s := holderSnap(e.a)
		s.Method, s.Route = e.k.method, e.k.route
		if fr := hp.p.stacks.frames(e.k.stack); len(fr) > 0 {
			s.Function, s.File, s.Line = fr[0].Function, fr[0].File, fr[0].Line
		}
		out = append(out, s)
	}
	if ov.count > 0 {
		s := holderSnap(ov)
		s.Function = OverflowHolder
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b HolderSnapshot) int {
		return cmp.Or(cmp.Compare(b.HeldMicros-b.BusyMicros, a.HeldMicros-a.BusyMicros),
			cmp.Compare(a.Function, b.Function), cmp.Compare(a.Route, b.Route), cmp.Compare(a.Method, b.Method))
	})
	return out
}

func holderSnap(a holderAgg) HolderSnapshot {
	return HolderSnapshot{Releases: a.count, HeldMicros: a.held.Microseconds(), BusyMicros: a.busy.Microseconds(),
		MaxHeldMicros: a.top.Microseconds()}
}

package probe

import (
	"cmp"
	"slices"
	"sync/atomic"
	"time"

	"github.com/soaklab/soak/probe/internal/cowmap"
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
// Safe for concurrent use: Record takes no lock once its entry exists.
type HoldProfile struct {
	p        *Probe
	max      int
	m        cowmap.Map[holderKey, *holderAgg]
	overflow holderAgg
}

type holderKey struct {
	stack         stackID
	method, route string
}

// holderAgg is one entry: counters in µs, updated atomically.
type holderAgg struct {
	key                   holderKey
	count                 atomic.Uint64
	held, busy, maxHeldUS atomic.Int64
}

func (a *holderAgg) add(held, busy time.Duration) {
	a.count.Add(1)
	a.held.Add(held.Microseconds())
	a.busy.Add(min(busy, held).Microseconds())
	us := held.Microseconds()
	for {
		cur := a.maxHeldUS.Load()
		if us <= cur || a.maxHeldUS.CompareAndSwap(cur, us) {
			return
		}
	}
}

// NewHoldProfile returns a HoldProfile of at most max entries
// ([DefaultMaxHolders] when max <= 0).
func (p *Probe) NewHoldProfile(max int) *HoldProfile {
	p.init()
	if max <= 0 {
		max = DefaultMaxHolders
	}
	return &HoldProfile{p: p, max: max}
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
	a, ok := hp.m.Load(k)
	if !ok {
		a, ok = hp.m.LoadOrCreate(k, hp.max, func() *holderAgg { return &holderAgg{key: k} })
		if !ok {
			a = &hp.overflow
		}
	}
	a.add(held, busy)
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
	all := hp.m.Values()
	out := make([]HolderSnapshot, 0, len(all)+1)
	for _, a := range all {
		s := holderSnap(a)
		s.Method, s.Route = a.key.method, a.key.route
		if fr := hp.p.stacks.frames(a.key.stack); len(fr) > 0 {
			s.Function, s.File, s.Line = fr[0].Function, fr[0].File, fr[0].Line
		}
		out = append(out, s)
	}
	if hp.overflow.count.Load() > 0 {
		s := holderSnap(&hp.overflow)
		s.Function = OverflowHolder
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b HolderSnapshot) int {
		return cmp.Or(cmp.Compare(b.HeldMicros-b.BusyMicros, a.HeldMicros-a.BusyMicros),
			cmp.Compare(a.Function, b.Function), cmp.Compare(a.Route, b.Route), cmp.Compare(a.Method, b.Method))
	})
	return out
}

func holderSnap(a *holderAgg) HolderSnapshot {
	return HolderSnapshot{Releases: a.count.Load(), HeldMicros: a.held.Load(), BusyMicros: a.busy.Load(),
		MaxHeldMicros: a.maxHeldUS.Load()}
}

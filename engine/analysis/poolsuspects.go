package analysis

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/soaklab/soak/engine/analysis/poolwait"
	"github.com/soaklab/soak/engine/analysis/pprofsite"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
	"github.com/soaklab/soak/probe"
)

// poolSuspects names what keeps the connections busy, and says what to
// do. The registry at the steady state's middle and end says which
// functions acquired the connections held then; the goroutine profiles of
// the same moments say where the goroutines running those functions were:
// a goroutine inside a holder but outside the pool and the driver holds
// its connection idle, doing something else. Those places are the top
// suspects. The tracer's hold profile says, per acquiring function and
// route, how long each acquire held its connection and how much of that
// its statements ran: the functions holding longest beyond their
// statements follow, named in the summary with their route; then the
// plain acquirers not named already. It reports whether the next step it
// set names a cause (a leak, a holder, work done while holding) rather
// than sizing or the database's speed.
func (a *analyzer) poolSuspects(f *Finding, s *capture.SourceTimeline, pf *PoolFigures) bool {
	holders := map[string]int{}
	var total int
	var idle []Suspect
	for _, m := range []capture.Moment{capture.MomentSteadyMid, capture.MomentSteadyEnd} {
		if rep := a.c.LeakReport(s.Name, m); rep != nil {
			for _, g := range rep.Groups {
				if g.Kind == probe.LeakPGXConn && g.Source == pf.Name && g.Function != "" {
					holders[g.Function] += g.Count
					total += g.Count
				}
			}
		}
	}
	fns := make([]string, 0, len(holders))
	for fn := range holders {
		fns = append(fns, fn)
	}
	slices.Sort(fns)
	for _, fn := range fns {
		n := holders[fn]
		acq := Suspect{Function: fn, Value: int64(n), Unit: "connections", Share: float64(n) / float64(total),
			Detail: fmt.Sprintf("acquired %d of the %d connections held at the steady state's middle and end", n, total)}
		if sp, ok := a.idleHolders(s.Name, fn); ok {
			sp.Detail = fmt.Sprintf("%d goroutines were here holding a pool connection that %s acquired, outside the pool and the driver (%d of the %d held connections were acquired there)",
				sp.Value, shortFunc(fn), n, total)
			idle = append(idle, sp)
			continue
		}
		f.Suspects = append(f.Suspects, acq)
	}
	sortSuspects(idle)
	steady, _ := a.c.Timing.Span(capture.PhaseSteady)
	starvers := starvingHolders(s, pf, steady.Duration())
	f.Suspects = slices.DeleteFunc(f.Suspects, func(sp Suspect) bool {
		return slices.ContainsFunc(starvers, func(st Suspect) bool { return st.Function == sp.Function })
	})
	sortSuspects(f.Suspects)
	f.Suspects = append(append(idle, starvers...), f.Suspects...)
	needed := int(math.Ceil(pf.NeededConns))
	little := fmt.Sprintf("Little's law: %.1f acquires/s x (%s held + %s waited) per acquire / %.0f%% target utilisation = %d connections (now %d)",
		pf.AcquireRate, human.Millis(pf.HoldTime), human.Millis(pf.WaitPerAcquire), 100*poolHeadroom, needed, pf.Max)
	if held, base, ok := poolHeldAfterDrain(s, pf.Name); ok && held > base {
		f.NextStep = fmt.Sprintf("The pool is still held after the load stopped (%d acquired after the drain, %d at baseline): fix the connection leak first (see the connection-leak finding); a bigger pool would only delay the exhaustion.",
			held, base)
		if len(starvers) > 0 {
			top := starvers[0]
			f.Summary += "; beyond the leak, held longest beyond its statements by " + shortFunc(top.Function) + routeText(top.Routes) + " (" + top.Detail + ")"
		}
		return true
	}
	if len(starvers) > 0 {
		top := starvers[0]
		f.Summary += "; held longest beyond its statements by " + shortFunc(top.Function) + routeText(top.Routes) + " (" + top.Detail + ")"
		if len(idle) == 0 {
			f.NextStep = fmt.Sprintf("%s holds its pool connection while doing other work: release it right after its statements (or do that work before acquiring it); a bigger pool would only move the queue. (%s.)",
				top.Location(), little)
			return true
		}
	}
	switch {
	case len(idle) > 0:
		top := idle[0]
		f.NextStep = fmt.Sprintf("Connections are held while the code does other work: %s runs with a pool connection held. Release the connection right after the query (or do this work before acquiring it); a bigger pool would only move the queue. (%s.)",
			top.Location(), little)
		return true
	case pf.QueryTime > 0 && pf.HoldTime > 4*pf.QueryTime:
		f.NextStep = fmt.Sprintf("Connections are held %s per acquire but their statements take %s: the code keeps them while doing other work. Release each right after its query. (%s.)",
			human.Millis(pf.HoldTime), human.Millis(pf.QueryTime), little)
		return true
	case needed > int(pf.Max):
		f.NextStep = "Size the pool by " + little + ", within the database's max_connections across replicas."
	default:
		f.NextStep = "Look at the slowest statements: the pool waits because the database is slow to answer."
	}
	return false
}

// idleHolders counts, in the steady state's goroutine profiles (middle
// and end), the goroutines running holder that are outside the pool and
// the driver, and returns the place most of them were, as a suspect.
func (a *analyzer) idleHolders(source, holder string) (Suspect, bool) {
	counts := map[pprofsite.Site]int64{}
	stacks := map[pprofsite.Site][]probe.Frame{}
	var path string
	for _, m := range []capture.Moment{capture.MomentSteadyMid, capture.MomentSteadyEnd} {
		p := a.c.Profile(source, probe.ProfileGoroutine, m)
		if p == nil {
			continue
		}
		st, err := pprofsite.GoroutineStacks(p.Data)
		if err != nil {
			continue
		}
		path = p.Path
		for _, sc := range st {
			if at, ok := whileHolding(sc.Frames, holder); ok {
				counts[at] += sc.Count
				stacks[at] = sc.Frames
			}
		}
	}
	var top pprofsite.Site
	var n int64
	for at, c := range counts {
		if c > n || (c == n && at.Function < top.Function) {
			top, n = at, c
		}
	}
	if n == 0 {
		return Suspect{}, false
	}
	return Suspect{Function: top.Function, File: top.File, Line: top.Line, Value: n, Unit: "goroutines",
		Stack: pprofsite.TrimStack(stacks[top]), Profile: path}, true
}

// whileHolding returns where a goroutine whose stack runs holder is, when
// that is neither the pool (waiting to acquire), the driver (running a
// query), nor holder itself: what the code does while it holds a
// connection.
func whileHolding(stack []probe.Frame, holder string) (pprofsite.Site, bool) {
	idx := slices.IndexFunc(stack, func(fr probe.Frame) bool { return fr.Function == holder })
	if idx < 0 {
		return pprofsite.Site{}, false
	}
	for _, fr := range stack[:idx] {
		if poolOrDriver(fr.Function) {
			return pprofsite.Site{}, false
		}
		if pprofsite.IsRuntimeFrame(fr.Function) || strings.HasPrefix(fr.Function, "net.") || strings.HasPrefix(fr.Function, "crypto/") ||
			strings.HasPrefix(fr.Function, "bufio.") || strings.HasPrefix(fr.Function, "io.") {
			continue
		}
		return pprofsite.Site{Function: fr.Function, File: fr.File, Line: fr.Line}, true
	}
	return pprofsite.Site{}, false
}

// poolOrDriver reports the frames of pgx, its pool (puddle) and the
// semaphore the pool waits on.
func poolOrDriver(fn string) bool {
	return strings.HasPrefix(fn, "github.com/jackc/") || strings.HasPrefix(fn, "golang.org/x/sync/semaphore.")
}

// shortFunc drops the import path of a function name.
func shortFunc(fn string) string {
	if i := strings.LastIndex(fn, "/"); i >= 0 {
		return fn[i+1:]
	}
	return fn
}

// Hold-profile thresholds: a holder starves the pool when each acquire
// holds its connection at least minExcessHold beyond its statements and
// at least twice their time,
const (
	minExcessHold   = time.Millisecond
	minHoldOverBusy = 2.0
	// minStarveShare: and the time it holds connections beyond its
	// statements is at least this share of the pool's connection time
	// over the steady state (max x duration): a health check's ping held
	// 5 ms a few times a minute is not what starves a pool.
	minStarveShare = 0.02
)

// starvingHolders returns, from pool pf's hold profile over the steady
// state, the functions (and routes) that hold their connection well
// beyond their statements, the most connection time lost first; Value is
// that time in ms, Share its part of all the time connections were held.
func starvingHolders(s *capture.SourceTimeline, pf *PoolFigures, steady time.Duration) []Suspect {
	hs := poolwait.SteadyHolders(s, pf.Name)
	var total int64
	for _, h := range hs {
		total += h.HeldMicros
	}
	// The pool's connection time over the steady state (µs): a holder
	// must take a part of it worth naming.
	capacity := float64(pf.Max) * float64(steady.Microseconds())
	var out []Suspect
	for _, h := range hs {
		if h.Releases == 0 || h.Function == "" || h.Function == probe.OverflowHolder {
			continue
		}
		n := int64(h.Releases)
		held, busy := time.Duration(h.HeldMicros/n)*time.Microsecond, time.Duration(h.BusyMicros/n)*time.Microsecond
		excess := h.HeldMicros - h.BusyMicros
		if held-busy < minExcessHold || float64(held) < minHoldOverBusy*float64(busy) || float64(excess) < minStarveShare*capacity {
			continue
		}
		sp := Suspect{Function: h.Function, File: h.File, Line: h.Line, Unit: "ms held beyond statements",
			Value:  (h.HeldMicros - h.BusyMicros) / 1000,
			Detail: fmt.Sprintf("%s held per acquire, its statements %s, over %s acquires", human.Millis(held), human.Millis(busy), human.Count(n))}
		if total > 0 {
			sp.Share = float64(h.HeldMicros-h.BusyMicros) / float64(total)
		}
		if h.Route != "" {
			sp.Routes = []RouteRate{{Method: h.Method, Route: h.Route, Count: int(min(n, math.MaxInt32))}}
		}
		out = append(out, sp)
	}
	sortSuspects(out)
	if len(out) > maxPoolSuspects {
		out = out[:maxPoolSuspects]
	}
	return out
}

// maxPoolSuspects bounds the holders named.
const maxPoolSuspects = 5

// routeText is " on METHOD /route" for the first route, or "".
func routeText(rs []RouteRate) string {
	if len(rs) == 0 {
		return ""
	}
	return " on " + strings.TrimSpace(rs[0].Method+" "+rs[0].Route)
}

// poolHeldAfterDrain returns pool name's acquired connections after the
// drain and at the baseline's end; ok is false without a drain sample.
func poolHeldAfterDrain(s *capture.SourceTimeline, name string) (after, base int32, ok bool) {
	last := s.Last[capture.PhaseDrain]
	if last == nil {
		return 0, 0, false
	}
	p, ok := last.Pool(name)
	if !ok {
		return 0, 0, false
	}
	if bs := s.Last[capture.PhaseBaseline]; bs != nil {
		if b, ok := bs.Pool(name); ok {
			base = b.AcquiredConns
		}
	}
	return p.AcquiredConns, base, true
}

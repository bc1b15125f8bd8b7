package analysis

import (
	"fmt"
	"math"
	"slices"
	"strings"

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
// suspects; the plain acquirers follow.
func (a *analyzer) poolSuspects(f *Finding, s *capture.SourceTimeline, pf *PoolFigures) {
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
	sortSuspects(f.Suspects)
	f.Suspects = append(idle, f.Suspects...)
	needed := int(math.Ceil(pf.NeededConns))
	little := fmt.Sprintf("Little's law: %.1f acquires/s x (%s held + %s waited) per acquire / %.0f%% target utilisation = %d connections (now %d)",
		pf.AcquireRate, human.Millis(pf.HoldTime), human.Millis(pf.WaitPerAcquire), 100*poolHeadroom, needed, pf.Max)
	switch {
	case len(idle) > 0:
		top := idle[0]
		f.NextStep = fmt.Sprintf("Connections are held while the code does other work: %s runs with a pool connection held. Release the connection right after the query (or do this work before acquiring it); a bigger pool would only move the queue. (%s.)",
			top.Location(), little)
	case pf.QueryTime > 0 && pf.HoldTime > 4*pf.QueryTime:
		f.NextStep = fmt.Sprintf("Connections are held %s per acquire but their statements take %s: the code keeps them while doing other work. Release each right after its query. (%s.)",
			human.Millis(pf.HoldTime), human.Millis(pf.QueryTime), little)
	case needed > int(pf.Max):
		f.NextStep = "Size the pool by " + little + ", within the database's max_connections across replicas."
	default:
		f.NextStep = "Look at the slowest statements: the pool waits because the database is slow to answer."
	}
}

// idleHolders counts, in the steady state's goroutine profiles (middle
// and end), the goroutines running holder that are outside the pool and
// the driver, and returns the place most of them were, as a suspect.
func (a *analyzer) idleHolders(source, holder string) (Suspect, bool) {
	counts := map[site]int64{}
	stacks := map[site][]probe.Frame{}
	var path string
	for _, m := range []capture.Moment{capture.MomentSteadyMid, capture.MomentSteadyEnd} {
		p := a.c.Profile(source, probe.ProfileGoroutine, m)
		if p == nil {
			continue
		}
		st, err := goroutineStacks(p.Data)
		if err != nil {
			continue
		}
		path = p.Path
		for _, sc := range st {
			if at, ok := whileHolding(sc.stack, holder); ok {
				counts[at] += sc.count
				stacks[at] = sc.stack
			}
		}
	}
	var top site
	var n int64
	for at, c := range counts {
		if c > n || (c == n && at.fn < top.fn) {
			top, n = at, c
		}
	}
	if n == 0 {
		return Suspect{}, false
	}
	return Suspect{Function: top.fn, File: top.file, Line: top.line, Value: n, Unit: "goroutines",
		Stack: trimStack(stacks[top]), Profile: path}, true
}

// whileHolding returns where a goroutine whose stack runs holder is, when
// that is neither the pool (waiting to acquire), the driver (running a
// query), nor holder itself: what the code does while it holds a
// connection.
func whileHolding(stack []probe.Frame, holder string) (site, bool) {
	idx := slices.IndexFunc(stack, func(fr probe.Frame) bool { return fr.Function == holder })
	if idx < 0 {
		return site{}, false
	}
	for _, fr := range stack[:idx] {
		if poolOrDriver(fr.Function) {
			return site{}, false
		}
		if isRuntimeFrame(fr.Function) || strings.HasPrefix(fr.Function, "net.") || strings.HasPrefix(fr.Function, "crypto/") ||
			strings.HasPrefix(fr.Function, "bufio.") || strings.HasPrefix(fr.Function, "io.") {
			continue
		}
		return site{fr.Function, fr.File, fr.Line}, true
	}
	return site{}, false
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

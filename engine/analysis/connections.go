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
	"github.com/soaklab/soak/probe"
)

// DetectorConnectionLeak is the connection-leak detector's name.
const DetectorConnectionLeak Detector = "connection-leak"

// connectionLeak is the connection-leak detector.
type connectionLeak struct{}

func (connectionLeak) name() Detector { return DetectorConnectionLeak }

func (connectionLeak) perSource() bool { return true }

// detect reads what the probe's registry still holds after the drain
// that was taken before the load stopped, pools whose acquired count did
// not return to its baseline, and Redis connections held outside the
// pool.
func (connectionLeak) detect(a *analyzer, s *capture.SourceTimeline) Finding {
	d := DetectorConnectionLeak
	base, after := s.Last[capture.PhaseBaseline], s.Last[capture.PhaseDrain]
	if after == nil {
		return unknown(d, s.Name, "no sample after the drain (the run stopped before it)")
	}
	if len(after.Pools) == 0 && len(after.Redis) == 0 {
		return unknown(d, s.Name, a.noConnections(s))
	}
	cf := &ConnectionFigures{ThresholdSeconds: after.Leaks.ThresholdSeconds}
	f := Finding{Detector: d, Source: s.Name, Connections: cf}
	leaked := false
	// When the load stopped, and how long before the sample after the
	// drain (both on soak's clock: the sample's poll time, not the
	// service's).
	loadEnd, drainEnd := after.Time, after.Time
	if sp, ok := a.c.Timing.Span(capture.PhaseDrain); ok {
		loadEnd = sp.Start
	}
	if pts := s.In(capture.PhaseDrain); len(pts) > 0 {
		drainEnd = pts[len(pts)-1].Time
	}
	sinceLoad := drainEnd.Sub(loadEnd).Seconds()
	rep := a.c.LeakReport(s.Name, capture.MomentDrainEnd)
	// Holds taken before the steady state and never given back, with none
	// taken under the steady load kept: a connection meant to live long
	// (a LISTEN, a subscription, a job started on first use), or a leak
	// that happened once, not one that grows with the load. Lone holds
	// taken under the load outside any request are the same kind of
	// thing, or a job still running.
	warm, lone, rest := splitHolds(rep, a.c.Timing)
	for _, ps := range after.Pools {
		r := PoolResidue{Name: ps.Name, Max: ps.MaxConns, AfterDrain: ps.AcquiredConns}
		if base != nil {
			if b, ok := base.Pool(ps.Name); ok {
				r.Baseline, r.BaselineOpen = b.AcquiredConns, b.TotalConns
			}
		}
		// The same peak as the Connection Pool row and the exhaustion
		// finding: the max when an acquire waited at it.
		steadyPts := s.In(capture.PhaseSteady)
		r.SteadyPeak, _, r.SteadyAtMax = poolwait.Peak(steadyPts, ps.Name)
		r.SteadyPeakHeld, r.HeldCounted = poolwait.PeakHeld(steadyPts, ps.Name)
		for i := range steadyPts {
			if pp := steadyPts[i].Pool(ps.Name); pp != nil {
				r.SteadyPeakOpen = max(r.SteadyPeakOpen, pp.Total)
			}
		}
		f.Evidence = append(f.Evidence, fmt.Sprintf("Pool %s: %d of %d connections acquired at baseline, %d at the steady-state peak%s, %d after the drain.",
			r.Name, r.Baseline, r.Max, r.SteadyPeak, heldAtOnce(r.SteadyPeakHeld, r.HeldCounted), r.AfterDrain))
		if r.AfterDrain > r.Baseline {
			if takenSince(ps, sinceLoad) {
				// Work that goes on after the load (a queue draining, a
				// background job): nothing taken under load is held.
				r.TakenAfterLoad = true
				f.Evidence = append(f.Evidence, fmt.Sprintf("Pool %s: the %d connections in use after the drain were all taken after the load stopped (the oldest %.1f s ago, the load stopped %.1f s ago): work after the load, not a leak.",
					r.Name, ps.HeldConns, ps.OldestHeldSeconds, sinceLoad))
			} else if w, l := warm.holds(ps.Name), lone.holds(ps.Name); ps.HeldConns >= int(ps.AcquiredConns) && w+l >= int(r.AfterDrain-r.Baseline) && rest.holds(ps.Name) == 0 {
				r.HeldSinceWarmup, r.HeldOutsideRequests = l == 0, l > 0
				if l == 0 {
					f.Evidence = append(f.Evidence, fmt.Sprintf("Pool %s: the %d connections in use after the drain were all taken before the steady state (the oldest %.0f s ago); none taken under the steady load is held.",
						r.Name, ps.HeldConns, ps.OldestHeldSeconds))
				} else {
					f.Evidence = append(f.Evidence, fmt.Sprintf("Pool %s: of the %d connections in use after the drain, %d were taken before the steady state and %d under the load outside any request, one from each place; none taken by a request is held.",
						r.Name, ps.HeldConns, w, l))
				}
			} else {
				leaked = true
			}
		}
		cf.Pools = append(cf.Pools, r)
	}
	var unreadRedis []string // clients whose connections outside the pool could not be counted
	var redisLeaks []string  // clients with connections left outside the pool or PubSubs open, in suspect order
	for _, rs := range after.Redis {
		r := RedisResidue{Name: rs.Name, HeldOutsideAfter: rs.HeldOutsidePool, OpenPubSubAfter: rs.OpenPubSub,
			PoolConnsAfter: int(rs.Pool.TotalConns), IdlePoolConnsAfter: int(rs.Pool.IdleConns)}
		unread := rs.PoolUnread
		if base != nil {
			if b, ok := base.RedisClient(rs.Name); ok {
				r.HeldOutsideBefore, r.OpenPubSubBefore = b.HeldOutsidePool, b.OpenPubSub
				unread = unread || b.PoolUnread
			}
		}
		if unread {
			// No pool to read (redisprobe given no client): the
			// connections outside it are zeros, not counts. The
			// PubSubs are the hook's own and still count.
			r.PoolUnread, r.HeldOutsideBefore, r.HeldOutsideAfter = true, 0, 0
		}
		cf.Redis = append(cf.Redis, r)
		if r.PoolUnread {
			unreadRedis = append(unreadRedis, r.Name)
			f.Evidence = append(f.Evidence, fmt.Sprintf("Redis %s: its pool statistics could not be read (redisprobe.New was given no client): connections held outside the pool not measured; %d PubSub open at baseline, %d after the drain.",
				r.Name, r.OpenPubSubBefore, r.OpenPubSubAfter))
		} else {
			f.Evidence = append(f.Evidence, fmt.Sprintf("Redis %s: %d connections held outside the pool and %d PubSub open at baseline; %d and %d after the drain.",
				r.Name, r.HeldOutsideBefore, r.OpenPubSubBefore, r.HeldOutsideAfter, r.OpenPubSubAfter))
		}
		w, l := warm.holds(rs.Name), lone.holds(rs.Name)
		pubsubWarm := r.OpenPubSubAfter > r.OpenPubSubBefore && w+l >= r.OpenPubSubAfter-r.OpenPubSubBefore && rest.holds(rs.Name) == 0
		switch {
		case pubsubWarm && l == 0:
			r.PubSubSinceWarmup = true
			f.Evidence = append(f.Evidence, fmt.Sprintf("Redis %s: the PubSubs opened since the baseline were all opened before the steady state; none opened under the steady load is open.", r.Name))
		case pubsubWarm:
			r.PubSubOutsideRequests = true
			f.Evidence = append(f.Evidence, fmt.Sprintf("Redis %s: of the PubSubs opened since the baseline, %d were opened before the steady state and %d under the load outside any request, one from each place; none opened by a request is open.", r.Name, w, l))
		}
		if r.HeldOutsideAfter > r.HeldOutsideBefore || r.OpenPubSubAfter > r.OpenPubSubBefore && !pubsubWarm {
			leaked = true
			redisLeaks = append(redisLeaks, r.Name)
			f.Suspects = append(f.Suspects, Suspect{Function: "(Redis client " + r.Name + ")", Unit: "connections",
				Value:  int64(max(r.HeldOutsideAfter-r.HeldOutsideBefore, 0) + max(r.OpenPubSubAfter-r.OpenPubSubBefore, 0)),
				Detail: "connections taken with Conn() or PubSub and not closed (the registry names the PubSub stacks)"})
		}
	}
	var warmSus, loneSus, sus []Suspect
	if rep == nil {
		f.Evidence = append(f.Evidence, "No leak report after the drain: the acquiring stacks are not known.")
	} else {
		sus = mergeSuspects(holdSuspects(rest.report, loadEnd, after))
		warmSus = mergeSuspects(holdSuspects(warm.report, loadEnd, after))
		loneSus = mergeSuspects(holdSuspects(lone.report, loadEnd, after))
		for _, sp := range slices.Concat(sus, warmSus, loneSus) {
			cf.HeldAfterDrain += int(sp.Value)
		}
		for _, sp := range warmSus {
			cf.HeldSinceWarmup += int(sp.Value)
		}
		for _, sp := range loneSus {
			cf.HeldOutsideRequests += int(sp.Value)
		}
		if len(sus) > 0 {
			leaked = true
			f.Suspects = append(sus, f.Suspects...)
		}
		var of []string
		if cf.HeldSinceWarmup > 0 {
			of = append(of, fmt.Sprintf("%d before the steady state", cf.HeldSinceWarmup))
		}
		if cf.HeldOutsideRequests > 0 {
			of = append(of, fmt.Sprintf("%d under the load outside any request, one from each place", cf.HeldOutsideRequests))
		}
		ofThem := ""
		if len(of) > 0 {
			ofThem = ", of them " + strings.Join(of, " and ")
		}
		f.Evidence = append(f.Evidence, fmt.Sprintf("Registry after the drain: %d holds taken before the load stopped%s (leak threshold %.0f s).",
			cf.HeldAfterDrain, ofThem, cf.ThresholdSeconds))
	}
	if !leaked && len(warmSus)+len(loneSus) > 0 {
		longLived(&f, warmSus, loneSus)
		return f
	}
	if !leaked {
		f.Verdict, f.Confidence = VerdictOK, 0.9
		if rep == nil {
			f.Confidence = 0.7
		}
		f.Summary = "every connection taken under load was given back after the drain"
		if len(unreadRedis) > 0 {
			f.Summary += fmt.Sprintf("; Redis client %s's connections outside its pool were not measured (its pool statistics could not be read)", strings.Join(unreadRedis, ", "))
		}
		return f
	}
	f.Verdict, f.Severity, f.Confidence = VerdictDetected, SeverityCritical, 0.9
	// Held since the warm-up, or alone outside requests: listed after
	// those under load.
	f.Suspects = slices.Concat(f.Suspects, loneSus, warmSus)
	if len(f.Suspects) > 0 && f.Suspects[0].Stack != nil {
		f.Confidence = 0.95
	}
	held, outside := 0, 0
	for _, r := range cf.Pools {
		if !r.TakenAfterLoad {
			held += int(max(r.AfterDrain-r.Baseline, 0))
		}
	}
	for _, r := range cf.Redis {
		// Conn() connections have no hold in the registry (its
		// PubSubs do, and are in HeldAfterDrain).
		outside += max(r.HeldOutsideAfter-r.HeldOutsideBefore, 0)
	}
	f.Summary = fmt.Sprintf("%d connections are still held after the load stopped and the service drained: a leak", max(held, cf.HeldAfterDrain)+outside)
	if len(f.Suspects) > 0 {
		top := f.Suspects[0]
		if len(sus) == 0 && len(redisLeaks) > 0 {
			// No held registry entry under load: the top suspect is
			// the first Redis client's connections outside its pool.
			client := redisLeaks[0]
			f.Summary += fmt.Sprintf("; %d of them taken from Redis client %s (Conn() or PubSub) and never closed", top.Value, client)
			f.NextStep = fmt.Sprintf("Find the path that takes a connection from Redis client %s with Conn() or PubSub and does not close it: defer conn.Close() (pubsub.Close()) right after taking it. The probe's /leaks lists each PubSub's stack; a Conn() has none (go-redis has no hook on it), so look for Conn( in the service's code.", client)
			return f
		}
		if strings.Contains(top.Detail, heldByRows) {
			f.Summary += fmt.Sprintf("; %d of them held by rows never closed in %s", top.Value, top.Function)
		} else {
			f.Summary += "; taken in " + top.Function
		}
		f.NextStep = fmt.Sprintf("Read %s: a connection it acquires is not released on every path (defer conn.Release() right after Acquire; close Rows).",
			top.Location())
		if len(top.Routes) > 0 {
			f.NextStep += fmt.Sprintf(" It happens on %s %s.", top.Routes[0].Method, top.Routes[0].Route)
		}
	}
	for _, r := range cf.Pools {
		if r.Max > 0 && r.AfterDrain >= r.Max {
			f.Evidence = append(f.Evidence, fmt.Sprintf("Pool %s is fully held: every acquire now waits until its context ends.", r.Name))
		}
	}
	return f
}

// longLived makes f the warning of connections still held after the
// drain that do not grow with the load: warm, taken before the steady
// state, and lone, taken under it outside any request one from each
// place (see splitHolds).
func longLived(f *Finding, warm, lone []Suspect) {
	cf := f.Connections
	f.Verdict, f.Severity, f.Confidence, f.Suspects = VerdictWarning, SeverityMedium, 0.6, slices.Concat(lone, warm)
	var parts []string
	if len(warm) > 0 {
		parts = append(parts, fmt.Sprintf("%d taken before the steady state (in %s)", cf.HeldSinceWarmup, warm[0].Function))
	}
	if len(lone) > 0 {
		parts = append(parts, fmt.Sprintf("%d taken under the load outside any request, one from each place (in %s)", cf.HeldOutsideRequests, lone[0].Function))
	}
	f.Summary = fmt.Sprintf("%d connections are still held after the drain, %s, but none taken by a request under the steady load was kept: a connection meant to live long (a LISTEN, a subscription, a worker started on first use), a background job still running, or a leak that happened once, not one that grows with the load",
		cf.HeldSinceWarmup+cf.HeldOutsideRequests, strings.Join(parts, " and "))
	top := f.Suspects[0]
	f.NextStep = fmt.Sprintf("Read %s: a connection meant to live as long as the service is best taken at start-up, before any load (a soak's baseline then counts it); a job's should be released when the job ends (a longer --drain shows whether it is); one that is neither should be released on every path. A leak that grows would have kept connections taken by requests, or more than one from the same place.",
		top.Location())
}

// leakHolds is a part of a leak report split by splitHolds.
type leakHolds struct {
	report *probe.LeakReport // the groups of this part (nil with no report)
}

// holds counts the part's holds of pool or client source. A hold
// younger than the probe's leak threshold is in no group: a pool's
// connections in use beyond the warm-up's holds are then not explained
// by them.
func (l leakHolds) holds(source string) int {
	if l.report == nil {
		return 0
	}
	n := 0
	for _, g := range l.report.Groups {
		if g.Source == source {
			n += g.Count
		}
	}
	return n
}

// splitHolds splits the leak report rep's groups three ways: warm, those
// whose every hold was taken before the steady state began (the group's
// newest, at the report's time less NewestSeconds); lone, a group of one
// hold taken since by no request (no request's labels: a background
// goroutine's, see [probe.LeakGroup.Routes]) at a known place (its stack
// sampled: the holds without one are a group of every place); and the
// rest. A leak that
// grows with the load keeps holds taken by requests, or several from one
// place; a connection meant to live long, or a job still running at the
// drain's end, keeps one. With no report every part is empty; with no
// steady state no group is warm.
func splitHolds(rep *probe.LeakReport, timing capture.Timing) (warm, lone, rest leakHolds) {
	if rep == nil {
		return warm, lone, rest
	}
	steady, ok := timing.Span(capture.PhaseSteady)
	w, l, r := *rep, *rep, *rep
	w.Groups, l.Groups, r.Groups = nil, nil, nil
	for _, g := range rep.Groups {
		newest := rep.Time.Add(-time.Duration(g.NewestSeconds * float64(time.Second)))
		switch {
		case ok && newest.Before(steady.Start):
			w.Groups = append(w.Groups, g)
		case g.Count == 1 && len(g.Routes) == 0 && g.Function != "":
			l.Groups = append(l.Groups, g)
		default:
			r.Groups = append(r.Groups, g)
		}
	}
	return leakHolds{&w}, leakHolds{&l}, leakHolds{&r}
}

// takenSince reports whether the tracer saw every connection pool ps has
// acquired, all taken within the last since seconds.
func takenSince(ps probe.PoolSnapshot, since float64) bool {
	return ps.AcquiredConns > 0 && ps.HeldConns >= int(ps.AcquiredConns) && ps.OldestHeldSeconds < since
}

// mergeRowsHolds returns groups with each pgx-query group folded into the
// pgx-conn group of the same pool and function that holds at least as
// many: the connection its rows hold. A probe before the fix listed a
// connection held by open rows twice (the connection, and the query);
// counted as connections, they are one. The probe now lists them once.
func mergeRowsHolds(groups []probe.LeakGroup) []probe.LeakGroup {
	out := make([]probe.LeakGroup, 0, len(groups))
	var queries []probe.LeakGroup
	for _, g := range groups {
		if g.Kind == probe.LeakPGXQuery && g.Function != "" {
			queries = append(queries, g)
			continue
		}
		out = append(out, g)
	}
	for _, q := range queries {
		i := slices.IndexFunc(out, func(c probe.LeakGroup) bool {
			return c.Kind == probe.LeakPGXConn && c.SQL == "" && c.Source == q.Source && c.Function == q.Function && c.Count >= q.Count
		})
		if i < 0 {
			out = append(out, q)
			continue
		}
		out[i].SQL = q.SQL
	}
	return out
}

// heldByRows is the suspect detail's name of a pgx connection held by
// rows never closed: one connection, listed once by the probe with the
// statement whose rows hold it.
const heldByRows = "pgx connection held by rows never closed"

// statementOpen is the suspect detail's name of a pgx connection taken
// by no request whose statement is open: still running, or its rows
// never closed (pgx traces both alike).
const statementOpen = "pgx connection with a statement open (still running, or its rows never closed)"

// holdSuspects turns the registry's groups held since before loadEnd
// into suspects, with the rate per 1,000 requests of each route.
func holdSuspects(rep *probe.LeakReport, loadEnd time.Time, snap *probe.Snapshot) []Suspect {
	var out []Suspect
	var total int64
	for _, g := range mergeRowsHolds(rep.Groups) {
		n := 0
		for _, h := range g.Holders {
			if h.Since.Before(loadEnd) {
				n++
			}
		}
		if len(g.Holders) < g.Count && g.OldestSince.Before(loadEnd) {
			// Holders lists the oldest 10: the rest are younger; count
			// them by the group's newest age.
			newest := rep.Time.Add(-time.Duration(g.NewestSeconds * float64(time.Second)))
			if newest.Before(loadEnd) {
				n = g.Count
			}
		}
		if n == 0 {
			continue
		}
		sp := Suspect{Function: g.Function, Value: int64(n), Unit: "connections", Stack: pprofsite.TrimStack(g.Stack)}
		if sp.Function == "" {
			sp.Function = "(stack not captured)"
		}
		if len(g.Stack) > 0 {
			sp.File, sp.Line = g.Stack[0].File, g.Stack[0].Line
		}
		what := map[string]string{probe.LeakPGXConn: "pgx connection acquired and never released",
			probe.LeakPGXQuery: "query whose rows were never closed", probe.LeakPGXHijacked: "hijacked connection never closed",
			probe.LeakRedisPubSub: "Redis PubSub never closed"}[g.Kind]
		switch {
		case g.Kind == probe.LeakPGXConn && g.SQL != "" && g.Count == 1 && len(g.Routes) == 0:
			// No request's: a background job's statement may still be
			// running (pgx ends a query's trace when its rows close).
			what = statementOpen
		case g.Kind == probe.LeakPGXConn && g.SQL != "":
			// One connection, held by its open rows (the probe lists the
			// connection once, with the statement).
			what = heldByRows
		}
		if what == "" {
			what = g.Kind
		}
		sp.Detail = fmt.Sprintf("%d x %s from %s, oldest held %.0f s", n, what, g.Source, g.OldestSeconds)
		if g.SQL != "" {
			sp.Detail += ", query " + g.SQL
		}
		var parts []string
		for _, r := range g.Routes {
			rr := routeRate(r.Method, r.Route, int64(r.Count), snap)
			sp.Routes = append(sp.Routes, rr)
			parts = append(parts, fmt.Sprintf("%d by %s %s (%s per 1,000 requests)", r.Count, r.Method, r.Route, per1000(rr.Per1000)))
		}
		if len(parts) > 0 {
			sp.Detail += "; " + strings.Join(parts, ", ")
		}
		total += int64(n)
		out = append(out, sp)
	}
	for i := range out {
		out[i].Share = float64(out[i].Value) / float64(total)
	}
	sortSuspects(out)
	return out
}

func per1000(v float64) string {
	if v == 0 {
		return "rate unknown"
	}
	if v < 10 {
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.0f", math.Round(v))
}

// noConnections says why a source has no connection to check: the
// database and Redis it declares it does not have, or that none is wired
// to the probe.
func (a *analyzer) noConnections(s *capture.SourceTimeline) string {
	src := []*capture.SourceTimeline{s}
	db, rd := noneDeclared(src, probe.Database, "database"), noneDeclared(src, probe.Redis, "Redis")
	switch {
	case db != "" && rd != "":
		return db + " and no Redis: no connection to leak"
	case db != "":
		return db + ", and reports no Redis client to the probe"
	case rd != "":
		return rd + ", and reports no pgx pool to the probe (wire it with pgxprobe.New)"
	}
	return "the service reports no pgx pool and no Redis client to the probe"
}

// ConnectionFigures are the connection-leak detector's measurements for
// one source.
type ConnectionFigures struct {
	Pools []PoolResidue  `json:"pools,omitempty"`
	Redis []RedisResidue `json:"redis,omitempty"`
	// HeldAfterDrain counts registry holds (pgx connections, open
	// queries, hijacked connections, PubSubs) still held at the drain's
	// end that were taken before the load stopped; HeldSinceWarmup those
	// of them taken before the steady state began.
	// HeldOutsideRequests those taken under the load by no request, one
	// from each place (see splitHolds).
	HeldAfterDrain      int `json:"held_after_drain"`
	HeldSinceWarmup     int `json:"held_since_warmup,omitempty"`
	HeldOutsideRequests int `json:"held_outside_requests,omitempty"`
	// ThresholdSeconds is the probe's leak threshold.
	ThresholdSeconds float64 `json:"threshold_seconds"`
}

// PoolResidue is a pgx pool's acquired connections before and after the
// load.
type PoolResidue struct {
	Name     string `json:"name"`
	Max      int32  `json:"max"`
	Baseline int32  `json:"baseline"`
	// BaselineOpen is the connections open (acquired and idle, what
	// pg_stat_activity lists for the pool) at baseline, SteadyPeakOpen
	// the most open at a steady-state sample.
	BaselineOpen   int32 `json:"baseline_open"`
	SteadyPeakOpen int32 `json:"steady_peak_open"`
	// SteadyPeak is the peak acquired in the steady state (the max when
	// an acquire waited at it between samples), SteadyAtMax the time
	// spent at the max.
	SteadyPeak  int32         `json:"steady_peak"`
	SteadyAtMax time.Duration `json:"steady_at_max_ns,omitempty"`
	// SteadyPeakHeld is the most connections held at once in the steady
	// state by the tracer's count at every acquire, when HeldCounted
	// (see PoolFigures.PeakHeld).
	SteadyPeakHeld int32 `json:"steady_peak_held,omitempty"`
	HeldCounted    bool  `json:"held_counted,omitempty"`
	AfterDrain     int32 `json:"after_drain"`
	// TakenAfterLoad is set when the connections acquired after the drain
	// were all taken after the load stopped (the tracer's oldest hold is
	// younger than the drain): work after the load, not a leak.
	TakenAfterLoad bool `json:"taken_after_load,omitempty"`
	// HeldSinceWarmup is set when they were all taken before the steady
	// state (the leak report's holds of the pool, none younger), and
	// none taken under the steady load is held.
	HeldSinceWarmup bool `json:"held_since_warmup,omitempty"`
	// HeldOutsideRequests is set when they were all taken before the
	// steady state or under the load by no request, one from each place,
	// some of them the latter; none taken by a request is held.
	HeldOutsideRequests bool `json:"held_outside_requests,omitempty"`
}

// RedisResidue is a Redis client's connections outside its pool.
type RedisResidue struct {
	Name               string `json:"name"`
	HeldOutsideBefore  int    `json:"held_outside_before"`
	HeldOutsideAfter   int    `json:"held_outside_after"`
	OpenPubSubBefore   int    `json:"open_pubsub_before"`
	OpenPubSubAfter    int    `json:"open_pubsub_after"`
	PoolConnsAfter     int    `json:"pool_conns_after"`
	IdlePoolConnsAfter int    `json:"idle_pool_conns_after"`
	// PubSubSinceWarmup is set when the PubSubs opened since the
	// baseline were all opened before the steady state.
	PubSubSinceWarmup bool `json:"pubsub_since_warmup,omitempty"`
	// PubSubOutsideRequests is set when they were opened before the
	// steady state or under the load by no request, one from each place,
	// some of them the latter.
	PubSubOutsideRequests bool `json:"pubsub_outside_requests,omitempty"`
	// PoolUnread is set when the probe could not read the client's pool
	// (probe.RedisSnapshot.PoolUnread): HeldOutside* are not measured
	// and left 0.
	PoolUnread bool `json:"pool_unread,omitempty"`
}

package analysis

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/soaklab/soak/engine/analysis/poolwait"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
	"github.com/soaklab/soak/probe"
)

func (a *analyzer) poolRow(t Target, srcs []*capture.SourceTimeline) Target {
	best, where := -1.0, ""
	var mean float64
	for _, s := range srcs {
		pts := steadyPoints(s)
		var sum float64
		var n int
		var names []string
		for _, p := range pts {
			for _, pp := range p.Pools {
				if pp.Max <= 0 {
					continue
				}
				sum += float64(pp.Acquired) / float64(pp.Max)
				n++
				if !slices.Contains(names, pp.Name) {
					names = append(names, pp.Name)
				}
			}
		}
		for _, name := range names {
			// The same peak as the pool-exhaustion finding's: the max
			// when an acquire waited at it between two samples.
			peak, mx, atMax := poolwait.Peak(pts, name)
			if mx <= 0 {
				continue
			}
			if u := float64(peak) / float64(mx); u > best {
				best, where = u, fmt.Sprintf("%d of %d, pool %s of %s", peak, mx, name, s.Name)
				if atMax > 0 {
					where += ", at its max " + human.Span(atMax)
				}
			}
		}
		if n > 0 {
			mean = max(mean, sum/float64(n))
		}
	}
	if best < 0 {
		if no := noneDeclared(srcs, probe.Database, "database"); no != "" {
			return unmeasured(t, no+": no connection pool to measure")
		}
		return unmeasured(t, "the service reports no pgx pool to the probe (wire it with pgxprobe.New)")
	}
	t.Actual = fmt.Sprintf("%s peak (%s), %s mean", human.Percent(best), where, human.Percent(mean))
	judge(&t, best, a.th.Pool, true)
	t.Why = "peak of acquired/max over the steady state's samples, or 100% when an acquire waited or gave up with the pool at its max between them"
	return t
}

func (a *analyzer) queryRow(t Target, srcs []*capture.SourceTimeline) Target {
	var merged probe.Histogram
	var calls int64
	for _, s := range srcs {
		for _, st := range steadyStatements(s) {
			merged = addHist(merged, st.Latency)
			calls += st.Latency.Count
		}
	}
	if calls == 0 {
		if no := noneDeclared(srcs, probe.Database, "database"); no != "" {
			return unmeasured(t, no+": no query to time")
		}
		return unmeasured(t, "no database statement was traced in the steady state (wire pgxprobe.New, or the service made no query)")
	}
	p95 := merged.Quantile(0.95)
	t.Actual = fmt.Sprintf("%s p95 over %s statements (mean %s)", human.Millis(p95), human.Count(calls), human.Millis(merged.Mean()))
	judge(&t, float64(p95.Microseconds())/1000, float64(a.th.QueryLatency.Microseconds())/1000, true)
	return t
}

// steadyStatements returns every statement of every pool of s with what
// it did over the steady state (the warm-up when there is none): the
// last sample's cumulative figures minus the first's. Statements without
// a call in that span are left out.
func steadyStatements(s *capture.SourceTimeline) []probe.StatementSnapshot {
	first, last := s.First[capture.PhaseSteady], s.Last[capture.PhaseSteady]
	if first == nil || last == nil {
		first, last = s.First[capture.PhaseWarmup], s.Last[capture.PhaseWarmup]
	}
	if first == nil || last == nil {
		return nil
	}
	var out []probe.StatementSnapshot
	for _, ps := range last.Pools {
		fp, _ := first.Pool(ps.Name)
		for _, st := range ps.Statements {
			for _, ft := range fp.Statements {
				if ft.SQL == st.SQL {
					st.Latency = st.Latency.Sub(ft.Latency)
					st.Calls -= min(ft.Calls, st.Calls)
				}
			}
			if st.Latency.Count > 0 {
				out = append(out, st)
			}
		}
	}
	return out
}

// StatementLatency is one database statement's latency over a run's
// steady state.
type StatementLatency struct {
	Source string        // the probe source (replica)
	SQL    string        // the statement as the probe reports it
	P95    time.Duration // its 95th percentile
}

// SlowStatements lists every statement traced over the steady state (the
// warm-up when the run has none) of every source and pool of c, slowest
// p95 first; nil without a capture or a traced statement.
func SlowStatements(c *capture.Capture) []StatementLatency {
	var all []StatementLatency
	if c == nil {
		return nil
	}
	for _, s := range c.Timeline.Sources {
		for _, stm := range steadyStatements(s) {
			all = append(all, StatementLatency{Source: s.Name, SQL: stm.SQL, P95: stm.Latency.Quantile(0.95)})
		}
	}
	slices.SortFunc(all, func(a, b StatementLatency) int { return cmp.Compare(b.P95, a.P95) })
	return all
}

// addHist merges two probe histograms of the same geometry.
func addHist(a, b probe.Histogram) probe.Histogram {
	out := probe.Histogram{Count: a.Count + b.Count, SumMicros: a.SumMicros + b.SumMicros,
		MaxMicros: max(a.MaxMicros, b.MaxMicros), Clamped: a.Clamped + b.Clamped}
	i, j := 0, 0
	for i < len(a.Buckets) || j < len(b.Buckets) {
		switch {
		case j >= len(b.Buckets) || (i < len(a.Buckets) && a.Buckets[i][0] < b.Buckets[j][0]):
			out.Buckets = append(out.Buckets, a.Buckets[i])
			i++
		case i >= len(a.Buckets) || b.Buckets[j][0] < a.Buckets[i][0]:
			out.Buckets = append(out.Buckets, b.Buckets[j])
			j++
		default:
			out.Buckets = append(out.Buckets, [2]int64{a.Buckets[i][0], a.Buckets[i][1] + b.Buckets[j][1]})
			i++
			j++
		}
	}
	return out
}

func (a *analyzer) cacheHitRow(t Target, srcs []*capture.SourceTimeline) Target {
	var hits, misses uint64
	var names []string
	for _, s := range srcs {
		pts := steadyPoints(s)
		if len(pts) < 2 {
			continue
		}
		first, last := pts[0], pts[len(pts)-1]
		for _, c := range last.Caches {
			h, m := c.Hits, c.Misses
			for _, fc := range first.Caches {
				if fc.Name == c.Name {
					h, m = h-min(fc.Hits, h), m-min(fc.Misses, m)
				}
			}
			if h+m > 0 {
				names = append(names, c.Name)
			}
			hits += h
			misses += m
		}
	}
	if hits+misses == 0 {
		return unmeasured(t, "no cache read was recorded in the steady state (probe.Cache or probe.Redis not wired, or no cached route was called)")
	}
	rate := float64(hits) / float64(hits+misses)
	t.Actual = fmt.Sprintf("%s (%s hits, %s misses; %s)", human.Percent(rate), human.Count(int64(hits)), human.Count(int64(misses)), strings.Join(uniq(names), ", "))
	judge(&t, rate, a.th.CacheHitRate, false)
	return t
}

func (a *analyzer) cacheMemoryRow(t Target, srcs []*capture.SourceTimeline) Target {
	best, where := -1.0, ""
	entries, fill := -1.0, ""
	for _, s := range srcs {
		for _, p := range steadyPoints(s) {
			for _, c := range p.Caches {
				switch {
				case c.MaxBytes > 0:
					if u := float64(c.UsedBytes) / float64(c.MaxBytes); u > best {
						best, where = u, fmt.Sprintf("%s of %s, %s", human.Bytes(c.UsedBytes), human.Bytes(c.MaxBytes), c.Name)
					}
				case c.Capacity > 0:
					if u := float64(c.Entries) / float64(c.Capacity); u > entries {
						entries, fill = u, fmt.Sprintf("%s holds %s of %s entries", c.Name, human.Count(c.Entries), human.Count(c.Capacity))
					}
				}
			}
		}
	}
	if best < 0 {
		why := "no cache reports a memory maximum in bytes (Redis without maxmemory is unbounded; an in-process cache can report CacheStats.SetMaxBytes)"
		if entries >= 0 {
			// An LRU counted in entries is full by design once warm: its
			// fill is shown, not judged as memory.
			why = fill + " (" + human.Percent(entries) + "); a cache sized in entries is full by design once warm and evicts, so soak judges memory only against a maximum in bytes"
		}
		return unmeasured(t, why)
	}
	t.Actual = fmt.Sprintf("%s peak (%s)", human.Percent(best), where)
	judge(&t, best, a.th.CacheMemory, true)
	return t
}

func (a *analyzer) cpuRow(t Target, srcs []*capture.SourceTimeline) Target {
	best, peak, where := -1.0, 0.0, ""
	for _, s := range srcs {
		pts := steadyPoints(s)
		if len(pts) < 2 {
			continue
		}
		first, last := pts[0], pts[len(pts)-1]
		dt := last.Time.Sub(first.Time).Seconds()
		if dt <= 0 || last.Cores <= 0 || last.CPUSeconds == 0 {
			continue
		}
		mean := (last.CPUSeconds - first.CPUSeconds) / dt / last.Cores
		for i := 1; i < len(pts); i++ {
			if d := pts[i].Time.Sub(pts[i-1].Time).Seconds(); d > 0 {
				peak = max(peak, (pts[i].CPUSeconds-pts[i-1].CPUSeconds)/d/last.Cores)
			}
		}
		if mean > best {
			best, where = mean, fmt.Sprintf("%g cores, %s", last.Cores, s.Name)
		}
	}
	if best < 0 {
		return unmeasured(t, "the probe reports no process CPU time on this platform")
	}
	t.Actual = fmt.Sprintf("%s mean, %s peak (%s)", human.Percent(best), human.Percent(peak), where)
	judge(&t, best, a.th.CPU, true)
	t.Why = "process CPU time over the steady state / cores available (cgroup quota, else GOMAXPROCS)"
	return t
}

func (a *analyzer) memoryRow(t Target, srcs []*capture.SourceTimeline) Target {
	best, where := -1.0, ""
	for _, s := range srcs {
		for _, p := range s.Points {
			if p.MemoryLimit <= 0 || p.RSSBytes <= 0 {
				continue
			}
			if u := float64(p.RSSBytes) / float64(p.MemoryLimit); u > best {
				best, where = u, fmt.Sprintf("%s RSS of %s, %s", human.Bytes(p.RSSBytes), human.Bytes(p.MemoryLimit), s.Name)
			}
		}
	}
	if best < 0 {
		return unmeasured(t, "the probe reports no RSS or memory limit on this platform")
	}
	t.Actual = fmt.Sprintf("%s peak (%s)", pctFine(best), where)
	judge(&t, best, a.th.Memory, true)
	t.Why = "peak RSS / the cgroup memory limit, else the machine's RAM"
	return t
}

// pctFine is pct with more digits for small shares.
func pctFine(f float64) string {
	if f > 0 && f < 0.0001 {
		return fmt.Sprintf("%.4f%%", 100*f)
	}
	return human.Percent(f)
}

func uniq(s []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

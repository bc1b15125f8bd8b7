package report

import (
	"fmt"
	"strings"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/analysis/capacity"
)

// capacitySections fills the report's Capacity Planning, Bottlenecks and
// Scaling Recommendations from c, the capacity search, or (c nil) from
// the sustained run r.
func capacitySections(r *analysis.Result, c *capacity.Result) (cap []KV, bottlenecks []string, scaling []KV) {
	if c != nil {
		cap = []KV{
			{"Max Concurrent Users", capMax(c)},
			{"Max Requests/Second", fmt.Sprintf("%.1f RPS", c.MaxRPS)},
			{"Breaking Point", capBreak(c)},
		}
		if c.USL != nil {
			cap = append(cap, KV{"Scalability (USL)", fmt.Sprintf("%s, %s, lambda %.1f RPS per %s, R² %.3f over %d steps",
				uslTerm("sigma", c.USL.Sigma, "contention"), uslTerm("kappa", c.USL.Kappa, "coherency"),
				c.USL.Lambda, singular(c.Unit()), c.USL.R2, c.USL.N)}, KV{"Peak Throughput", c.Peak})
		}
		return cap, c.Bottlenecks, []KV{{"Horizontal Scaling", c.Scaling.Horizontal}, {"Vertical Scaling", c.Scaling.Vertical},
			{"Database Scaling", c.Scaling.Database}, {"Cache Scaling", c.Scaling.Cache}}
	}
	res := r.Engine
	users := res.PeakUsers
	tot := res.Total.Total()
	rps := 0.0
	if d := res.End.Sub(res.Start).Seconds(); d > 0 {
		rps = float64(tot.Requests) / d
	}
	// Capacity is about serving the users: latency, errors and defects,
	// not a cache's hit rate.
	met := len(r.Failed()) == 0
	for _, t := range r.Performance {
		if t.Status == analysis.StatusFail && t.Metric != "Throughput" {
			met = false
		}
	}
	uText := fmt.Sprintf("at least %d: the latency and error targets held, with no defect, at the %d users of this run (`soak capacity` finds the limit)", users, users)
	if !met {
		uText = fmt.Sprintf("below %d: at this run's %d users a latency or error target broke, or a defect showed (see Issues; `soak capacity` finds the limit)", users, users)
	}
	cap = []KV{
		{"Max Concurrent Users", uText},
		{"Max Requests/Second", fmt.Sprintf("%.1f RPS observed at %d users (not a limit unless a target broke)", rps, users)},
		{"Breaking Point", "not searched in a sustained run: run `soak capacity` for a stepped load to the breaking point"},
	}
	for _, f := range r.Failed() {
		if f.Detector == analysis.DetectorPoolExhaustion || f.Detector == analysis.DetectorConnectionLeak {
			bottlenecks = append(bottlenecks, "Database connections: "+f.Summary+".")
		}
	}
	var cpuRow, poolRow, queryRow, hitRow *analysis.Target
	for i := range r.System {
		t := &r.System[i]
		switch t.Component + " " + t.Metric {
		case "Application CPU Usage":
			cpuRow = t
		case "Database Connection Pool":
			poolRow = t
		case "Database Query Latency":
			queryRow = t
		case "Cache Hit Rate":
			hitRow = t
		}
	}
	if cpuRow != nil && cpuRow.Status == analysis.StatusFail {
		bottlenecks = append(bottlenecks, "CPU: "+cpuRow.Actual+" (target "+cpuRow.Target+").")
	}
	if queryRow != nil && queryRow.Status == analysis.StatusFail {
		bottlenecks = append(bottlenecks, "Database: query latency "+queryRow.Actual+"; slowest: "+slowestStatements(r)+".")
	}
	if hitRow != nil && hitRow.Status == analysis.StatusFail {
		bottlenecks = append(bottlenecks, "Cache: hit rate "+hitRow.Actual+".")
	}
	if res.GeneratorBound {
		bottlenecks = append(bottlenecks, "The load generator (not the service): see the notes.")
	}
	if len(bottlenecks) == 0 {
		bottlenecks = []string{fmt.Sprintf("None observed at %d users: no target missed and no resource saturated.", users)}
	}
	scaling = []KV{
		{"Horizontal Scaling", rowAdvice(cpuRow, "CPU saturates first: add replicas behind the load balancer.", "CPU is not saturated at this load; replicas are not needed for it. `soak capacity` gives the users per replica.")},
		{"Vertical Scaling", rowAdvice(cpuRow, "More cores per replica would raise the limit.", "More cores would not help at this load.")},
		{"Database Scaling", rowAdvice(poolRow, "Size the pool by Little's law (see Recommendations) within max_connections; then the database itself.", "The pool has headroom at this load.")},
		{"Cache Scaling", rowAdvice(hitRow, "Raise the hit rate before scaling the cache: the misses go to the store behind it.", "The cache hit rate meets its target at this load.")},
	}
	return cap, bottlenecks, scaling
}

func rowAdvice(t *analysis.Target, failed, passed string) string {
	switch {
	case t != nil && t.Status == analysis.StatusUnknown && strings.HasPrefix(t.Why, "the service has no "):
		why, _, _ := strings.Cut(t.Why, ": no ") // the declaration, without what it leaves unmeasured
		return "Nothing to scale: " + why + "."
	case t == nil || t.Status == analysis.StatusUnknown:
		why := "no probe"
		if t != nil {
			why = t.Why
		}
		return "not measured: " + why
	case t.Status == analysis.StatusFail:
		return failed + " (" + t.Metric + ": " + t.Actual + ")"
	}
	return passed + " (" + t.Metric + ": " + t.Actual + ")"
}

func capMax(c *capacity.Result) string {
	switch {
	case c.Model == "rate" && c.MaxRate > 0:
		return fmt.Sprintf("%g arrivals/s met every target", c.MaxRate)
	case c.MaxUsers > 0:
		return fmt.Sprintf("%d users met every target", c.MaxUsers)
	}
	return "none: the first step already broke a target"
}

func capBreak(c *capacity.Result) string {
	if !c.Broke {
		return fmt.Sprintf("not reached: every step up to the last met the targets (%d steps)", len(c.Steps))
	}
	return fmt.Sprintf("%g %s: %s", c.BreakingPoint, c.Unit(), c.Why)
}

func singular(unit string) string {
	if unit == "users" {
		return "user"
	}
	return unit
}

// uslTerm writes a USL coefficient: "sigma 0.0312 (contention)", or
// "sigma 0 (no contention measured)" for a fit that found none, which
// "0.0000" would write as if a figure had been rounded away.
func uslTerm(name string, v float64, what string) string {
	if v <= 0 {
		return fmt.Sprintf("%s 0 (no %s measured)", name, what)
	}
	return fmt.Sprintf("%s %.3g (%s)", name, v, what)
}

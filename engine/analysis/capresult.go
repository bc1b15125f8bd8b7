package analysis

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
	"github.com/soaklab/soak/probe"
)

// CapacityStep is one measured step.
type CapacityStep struct {
	Users int     `json:"users,omitempty"` // closed model
	Rate  float64 `json:"rate,omitempty"`  // open model: offered arrivals/s
	// Start and End bound the measured part of the step (after Settle).
	Start      time.Time     `json:"start"`
	End        time.Time     `json:"end"`
	Requests   int64         `json:"requests"`
	Throughput float64       `json:"throughput"` // completed requests per second
	P50        time.Duration `json:"p50_ns"`
	P95        time.Duration `json:"p95_ns"`
	P99        time.Duration `json:"p99_ns"`
	ErrorRate  float64       `json:"error_rate"`
	// CPU is the service's CPU use over the step as a fraction of its
	// cores, PoolUtilization the busiest pool's peak acquired/max, and
	// PoolWaits its empty acquires; -1 when no probe measured them.
	CPU             float64 `json:"cpu"`
	PoolUtilization float64 `json:"pool_utilization"`
	PoolWaits       int64   `json:"pool_waits"`
	// Broke is set on the breaking step; Why says which target broke.
	Broke bool   `json:"broke"`
	Why   string `json:"why,omitempty"`
}

// Concurrency is Users, or Rate for the open model.
func (s *CapacityStep) Concurrency() float64 {
	if s.Users > 0 {
		return float64(s.Users)
	}
	return s.Rate
}

// CapacityResult is a capacity search's outcome: the seed's Capacity
// Planning and Scaling Recommendations.
type CapacityResult struct {
	// Model is "users" (closed) or "rate" (open).
	Model string         `json:"model"`
	Steps []CapacityStep `json:"steps"`
	// MaxUsers is the most users (or the highest rate) of a step that met
	// every target; MaxRPS the highest throughput of such a step.
	MaxUsers int     `json:"max_users"`
	MaxRate  float64 `json:"max_rate,omitempty"`
	MaxRPS   float64 `json:"max_rps"`
	// Broke is set when a step broke; BreakingPoint is its users (or
	// rate) and Why the reason. Unset: no step broke up to the last one.
	Broke         bool    `json:"broke"`
	BreakingPoint float64 `json:"breaking_point"`
	Why           string  `json:"why,omitempty"`
	// USL is the Universal Scalability Law fitted to the steps (nil with
	// fewer than 3 usable steps; USLError says why).
	USL      *USL   `json:"usl,omitempty"`
	USLError string `json:"usl_error,omitempty"`
	// Peak says in words where throughput peaks: within the measured
	// steps, or "no peak within the measured range: throughput still
	// rising at 30 users" and what the fit extrapolates. "" without a fit.
	Peak string `json:"peak,omitempty"`
	// Bottlenecks lists what limited the service, most telling first.
	Bottlenecks []string `json:"bottlenecks"`
	// Scaling is the seed's Scaling Recommendations.
	Scaling Scaling `json:"scaling"`
	// Partial is set when the search ended before its last step without
	// a breaking point: the context was cancelled or Plan.Stop stopped it.
	Partial bool `json:"partial"`
	// Engine is the whole stepped run, client side.
	Engine *engine.Result `json:"-"`
}

// Scaling is the seed's Scaling Recommendations, each from evidence.
type Scaling struct {
	Horizontal string `json:"horizontal"`
	Vertical   string `json:"vertical"`
	Database   string `json:"database"`
	Cache      string `json:"cache"`
}

// NewCapacityResult summarises the steps of a capacity search (model
// "users" for the closed model, "rate" for the open one), judged against
// th: the most users and throughput that met every target, the breaking
// point, the Universal Scalability Law fitted to the steps, the
// bottlenecks and the scaling advice. tl is the probe timeline polled
// during the search (nil or empty without a probe): it tells whether the
// service declares it has no database. The steps are kept, not copied.
func NewCapacityResult(model string, steps []CapacityStep, th Thresholds, tl *capture.Timeline) *CapacityResult {
	r := &CapacityResult{Model: model, Steps: steps}
	var ns, xs []float64
	for _, s := range steps {
		if s.Requests > 0 {
			ns, xs = append(ns, s.Concurrency()), append(xs, s.Throughput)
		}
		if s.Broke {
			r.Broke, r.BreakingPoint, r.Why = true, s.Concurrency(), s.Why
			break
		}
		r.MaxUsers, r.MaxRate = s.Users, s.Rate
		r.MaxRPS = math.Max(r.MaxRPS, s.Throughput)
	}
	if u, err := FitUSL(ns, xs); err == nil {
		r.USL = &u
		r.Peak = r.peakWords(slices.Max(ns))
	} else {
		r.USLError = err.Error()
	}
	r.Bottlenecks = capacityBottlenecks(r, th)
	r.Scaling = capacityScaling(r, th, noDatabase(tl))
	return r
}

// noDatabase is noneDeclared for the database of the sources of tl that
// answered.
func noDatabase(tl *capture.Timeline) string {
	if tl == nil {
		return ""
	}
	var srcs []*capture.SourceTimeline
	for _, s := range tl.Sources {
		if s.Reachable() {
			srcs = append(srcs, s)
		}
	}
	return noneDeclared(srcs, probe.ConfigDatabase, "database")
}

// peakWords says where the fitted throughput peaks, against the highest
// concurrency measured (top): a peak beyond it, or none at all, is not a
// measured peak, and the words say what the steps did show.
func (r *CapacityResult) peakWords(top float64) string {
	u := r.USL
	if u.HasPeak() && u.PeakN <= top {
		return fmt.Sprintf("throughput peaks at %.0f RPS near %.0f %s, within the measured range", u.PeakX, u.PeakN, r.unit())
	}
	var s string
	switch {
	case r.Broke && strings.HasPrefix(r.Why, "throughput stopped rising"):
		s = fmt.Sprintf("no peak within the measured range: the fit still rises, but measured throughput stopped rising at %g %s", r.BreakingPoint, r.unit())
	case r.Broke:
		s = fmt.Sprintf("no peak within the measured range: throughput still rising at %s, the last step before the break", r.maxText())
	default:
		s = fmt.Sprintf("no peak within the measured range: throughput still rising at %g %s", top, r.unit())
	}
	switch c := u.Ceiling(); {
	case u.HasPeak():
		s += fmt.Sprintf("; the fit extrapolates a peak of %.0f RPS near %.0f %s", u.PeakX, u.PeakN, r.unit())
	case c > 0:
		s += fmt.Sprintf("; the fit's contention caps it near %.0f RPS per replica", c)
	default:
		s += "; the fit is a straight line (no contention, no coherency cost), which says nothing about where the service breaks"
	}
	return s
}

// maxText is the last step that met every target: "30 users", "50 arrivals/s".
func (r *CapacityResult) maxText() string {
	if r.Model == "rate" {
		return fmt.Sprintf("%g arrivals/s", r.MaxRate)
	}
	return fmt.Sprintf("%d users", r.MaxUsers)
}

// unit names the concurrency: "users", or "arrivals/s".
func (r *CapacityResult) unit() string {
	if r.Model == "rate" {
		return "arrivals/s"
	}
	return "users"
}

// capacityBottlenecks says what limited the steps: the breaking step's
// reason, a saturated CPU or pool, the USL's contention and coherency.
func capacityBottlenecks(r *CapacityResult, th Thresholds) []string {
	var out []string
	if len(r.Steps) == 0 {
		return []string{"No step was measured."}
	}
	last := r.Steps[len(r.Steps)-1]
	if r.Broke {
		out = append(out, fmt.Sprintf("At %g %s: %s.", last.Concurrency(), r.unit(), last.Why))
	}
	if last.CPU >= 0 && th.CPU > 0 && last.CPU >= th.CPU {
		out = append(out, fmt.Sprintf("CPU at %s of the service's cores at %g %s: the CPU saturates first.", human.Percent(last.CPU), last.Concurrency(), r.unit()))
	}
	if last.PoolUtilization >= 1 || last.PoolWaits > 0 {
		out = append(out, fmt.Sprintf("Database pool at %s with %d waits at %g %s: connections run out before CPU does.",
			human.Percent(last.PoolUtilization), last.PoolWaits, last.Concurrency(), r.unit()))
	}
	if r.USL != nil && r.USL.Sigma > 0.05 {
		out = append(out, fmt.Sprintf("Contention: USL sigma %.3f, a %.1f%% serial share (a lock, a pool, one core) caps throughput near %.0f RPS.",
			r.USL.Sigma, 100*r.USL.Sigma, r.USL.Lambda/r.USL.Sigma))
	}
	if r.USL != nil && r.USL.Kappa > 0 && r.USL.HasPeak() {
		out = append(out, fmt.Sprintf("Coherency: USL kappa %.5f makes throughput fall beyond about %.0f %s.", r.USL.Kappa, r.USL.PeakN, r.unit()))
	}
	if len(out) == 0 {
		out = append(out, fmt.Sprintf("None reached: every step up to %g %s met the targets; extend the steps.", last.Concurrency(), r.unit()))
	}
	return out
}

// capacityScaling turns the steps and the USL fit into the seed's four
// scaling recommendations; noDB is noneDeclared for the database.
func capacityScaling(r *CapacityResult, th Thresholds, noDB string) Scaling {
	var s Scaling
	if len(r.Steps) == 0 {
		return Scaling{Horizontal: "not measured: no step", Vertical: "not measured: no step", Database: "not measured: no step", Cache: "not measured: no step"}
	}
	last := r.Steps[len(r.Steps)-1]
	switch u := r.USL; {
	case u == nil:
		s.Horizontal = "not measured: " + r.USLError + " (run more steps)"
	case r.MaxUsers > 0 || r.MaxRate > 0:
		per := float64(r.MaxUsers)
		if r.Model == "rate" {
			per = r.MaxRate
		}
		shape := "the steps show no throughput peak yet (see Peak Throughput)"
		if u.HasPeak() && strings.HasPrefix(r.Peak, "throughput peaks") {
			shape = fmt.Sprintf("the fit puts its throughput peak at %.0f RPS near %.0f %s", u.PeakX, u.PeakN, r.unit())
		}
		s.Horizontal = fmt.Sprintf("One replica meets the targets up to %g %s (%.0f RPS), and %s. For N times the load, run N times the replicas (each up to %g %s), as long as what they share (the database) keeps up.",
			per, r.unit(), r.MaxRPS, shape, per, r.unit())
	default:
		s.Horizontal = "The first step already broke a target: lower the first step to find the capacity of one replica."
	}
	switch {
	case last.CPU < 0:
		s.Vertical = "not measured: no probe reported CPU (pass --probe URL)"
	case th.CPU > 0 && last.CPU >= th.CPU:
		s.Vertical = fmt.Sprintf("CPU reached %s of the cores at the last step: more cores (or less CPU per request) raise the limit.", human.Percent(last.CPU))
	case !r.Broke:
		s.Vertical = fmt.Sprintf("CPU stayed at %s of the cores up to the last step: no step reached a limit, and the cores have room.", human.Percent(last.CPU))
	default:
		s.Vertical = fmt.Sprintf("CPU stayed at %s of the cores: more cores would not help; the limit is elsewhere.", human.Percent(last.CPU))
	}
	switch {
	case last.PoolUtilization < 0 && noDB != "":
		s.Database = "Nothing to scale: " + noDB + "."
	case last.PoolUtilization < 0:
		s.Database = "not measured: no probe reported a pgx pool (pass --probe URL, and wire probe.PGX in the service)"
	case last.PoolWaits > 0:
		s.Database = fmt.Sprintf("The pool ran dry (%s, %d waits) at the last step: size it by Little's law (acquires/s x hold time / 0.8) within the server's max_connections, or shorten the holds.",
			human.Percent(last.PoolUtilization), last.PoolWaits)
	default:
		s.Database = fmt.Sprintf("The pool peaked at %s with no waits: the database is not the limit at these steps.", human.Percent(last.PoolUtilization))
	}
	s.Cache = "Measure the cache hit rate in a sustained run at the breaking load (`soak run` at that many users): a cache that misses under load moves work to the store behind it."
	return s
}

// capacitySections fills the report's Capacity Planning, Bottlenecks and
// Scaling Recommendations from r.Capacity, or from the sustained run.
func capacitySections(r *Result) (cap []KV, bottlenecks []string, scaling []KV) {
	if c := r.Capacity; c != nil {
		cap = []KV{
			{"Max Concurrent Users", capMax(c)},
			{"Max Requests/Second", fmt.Sprintf("%.1f RPS", c.MaxRPS)},
			{"Breaking Point", capBreak(c)},
		}
		if c.USL != nil {
			cap = append(cap, KV{"Scalability (USL)", fmt.Sprintf("sigma %.4f (contention), kappa %.6f (coherency), lambda %.1f RPS per %s, R² %.3f over %d steps",
				c.USL.Sigma, c.USL.Kappa, c.USL.Lambda, singular(c.unit()), c.USL.R2, c.USL.N)}, KV{"Peak Throughput", c.Peak})
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
		if t.Status == StatusFail && t.Metric != "Throughput" {
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
		if f.Detector == DetectorPoolExhaustion || f.Detector == DetectorConnectionLeak {
			bottlenecks = append(bottlenecks, "Database connections: "+f.Summary+".")
		}
	}
	var cpuRow, poolRow, queryRow, hitRow *Target
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
	if cpuRow != nil && cpuRow.Status == StatusFail {
		bottlenecks = append(bottlenecks, "CPU: "+cpuRow.Actual+" (target "+cpuRow.Target+").")
	}
	if queryRow != nil && queryRow.Status == StatusFail {
		bottlenecks = append(bottlenecks, "Database: query latency "+queryRow.Actual+"; slowest: "+slowestStatements(r)+".")
	}
	if hitRow != nil && hitRow.Status == StatusFail {
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

func rowAdvice(t *Target, failed, passed string) string {
	switch {
	case t != nil && t.Status == StatusUnknown && strings.HasPrefix(t.Why, "the service has no "):
		why, _, _ := strings.Cut(t.Why, ": no ") // the declaration, without what it leaves unmeasured
		return "Nothing to scale: " + why + "."
	case t == nil || t.Status == StatusUnknown:
		why := "no probe"
		if t != nil {
			why = t.Why
		}
		return "not measured: " + why
	case t.Status == StatusFail:
		return failed + " (" + t.Metric + ": " + t.Actual + ")"
	}
	return passed + " (" + t.Metric + ": " + t.Actual + ")"
}

func capMax(c *CapacityResult) string {
	switch {
	case c.Model == "rate" && c.MaxRate > 0:
		return fmt.Sprintf("%g arrivals/s met every target", c.MaxRate)
	case c.MaxUsers > 0:
		return fmt.Sprintf("%d users met every target", c.MaxUsers)
	}
	return "none: the first step already broke a target"
}

func capBreak(c *CapacityResult) string {
	if !c.Broke {
		return fmt.Sprintf("not reached: every step up to the last met the targets (%d steps)", len(c.Steps))
	}
	return fmt.Sprintf("%g %s: %s", c.BreakingPoint, c.unit(), c.Why)
}

func singular(unit string) string {
	if unit == "users" {
		return "user"
	}
	return unit
}

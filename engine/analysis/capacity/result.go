package capacity

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/analysis/stats"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
)

// Step is one measured step.
type Step struct {
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
func (s *Step) Concurrency() float64 {
	if s.Users > 0 {
		return float64(s.Users)
	}
	return s.Rate
}

// Result is a capacity search's outcome: the seed's Capacity
// Planning and Scaling Recommendations.
type Result struct {
	// Model is "users" (closed) or "rate" (open).
	Model string `json:"model"`
	Steps []Step `json:"steps"`
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
	USL      *stats.USL `json:"usl,omitempty"`
	USLError string     `json:"usl_error,omitempty"`
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
	// Capture is its server side when probes were polled: the samples
	// (a baseline, the steps, a drain), the phases and the environment,
	// for analysis.Analyze. Nil without one.
	Capture *capture.Capture `json:"-"`
}

// Scaling is the seed's Scaling Recommendations, each from evidence.
type Scaling struct {
	Horizontal string `json:"horizontal"`
	Vertical   string `json:"vertical"`
	Database   string `json:"database"`
	Cache      string `json:"cache"`
}

// NewResult summarises the steps of a capacity search (model
// "users" for the closed model, "rate" for the open one), judged against
// th: the most users and throughput that met every target, the breaking
// point, the Universal Scalability Law fitted to the steps, the
// bottlenecks and the scaling advice. tl is the probe timeline polled
// during the search (nil or empty without a probe): it tells whether the
// service declares it has no database. The steps are kept, not copied.
func NewResult(model string, steps []Step, th analysis.Thresholds, tl *capture.Timeline) *Result {
	r := &Result{Model: model, Steps: steps}
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
	if u, err := stats.FitUSL(ns, xs); err == nil {
		r.USL = &u
		r.Peak = r.peakWords(slices.Max(ns))
	} else {
		r.USLError = err.Error()
	}
	r.Bottlenecks = capacityBottlenecks(r, th)
	r.Scaling = capacityScaling(r, th, analysis.NoDatabase(tl))
	return r
}

// peakWords says where the fitted throughput peaks, against the highest
// concurrency measured (top): a peak beyond it, or none at all, is not a
// measured peak, and the words say what the steps did show.
func (r *Result) peakWords(top float64) string {
	u := r.USL
	if u.HasPeak() && u.PeakN <= top {
		return fmt.Sprintf("throughput peaks at %.0f RPS near %.0f %s, within the measured range", u.PeakX, u.PeakN, r.Unit())
	}
	var s string
	switch {
	case r.Broke && strings.HasPrefix(r.Why, "throughput stopped rising"):
		s = fmt.Sprintf("no peak within the measured range: the fit still rises, but measured throughput stopped rising at %g %s", r.BreakingPoint, r.Unit())
	case r.Broke:
		s = fmt.Sprintf("no peak within the measured range: throughput still rising at %s, the last step before the break", r.maxText())
	default:
		s = fmt.Sprintf("no peak within the measured range: throughput still rising at %g %s", top, r.Unit())
	}
	switch c := u.Ceiling(); {
	case u.HasPeak():
		s += fmt.Sprintf("; the fit extrapolates a peak of %.0f RPS near %.0f %s", u.PeakX, u.PeakN, r.Unit())
	case c > 0:
		s += fmt.Sprintf("; the fit's contention caps it near %.0f RPS per replica", c)
	default:
		s += "; the fit is a straight line (no contention, no coherency cost), which says nothing about where the service breaks"
	}
	return s
}

// maxText is the last step that met every target: "30 users", "50 arrivals/s".
func (r *Result) maxText() string {
	if r.Model == "rate" {
		return fmt.Sprintf("%g arrivals/s", r.MaxRate)
	}
	return fmt.Sprintf("%d users", r.MaxUsers)
}

// Unit names the concurrency of the steps: "users", or "arrivals/s" for
// the open model.
func (r *Result) Unit() string {
	if r.Model == "rate" {
		return "arrivals/s"
	}
	return "users"
}

// capacityBottlenecks says what limited the steps: the breaking step's
// reason, a saturated CPU or pool, the USL's contention and coherency.
func capacityBottlenecks(r *Result, th analysis.Thresholds) []string {
	var out []string
	if len(r.Steps) == 0 {
		return []string{"No step was measured."}
	}
	last := r.Steps[len(r.Steps)-1]
	if r.Broke {
		out = append(out, fmt.Sprintf("At %g %s: %s.", last.Concurrency(), r.Unit(), last.Why))
	}
	if last.CPU >= 0 && th.CPU > 0 && last.CPU >= th.CPU {
		out = append(out, fmt.Sprintf("CPU at %s of the service's cores at %g %s: the CPU saturates first.", human.Percent(last.CPU), last.Concurrency(), r.Unit()))
	}
	if last.PoolUtilization >= 1 || last.PoolWaits > 0 {
		out = append(out, fmt.Sprintf("Database pool at %s with %d waits at %g %s: connections run out before CPU does.",
			human.Percent(last.PoolUtilization), last.PoolWaits, last.Concurrency(), r.Unit()))
	}
	if r.USL != nil && r.USL.Sigma > 0.05 {
		out = append(out, fmt.Sprintf("Contention: USL sigma %.3f, a %.1f%% serial share (a lock, a pool, one core) caps throughput near %.0f RPS.",
			r.USL.Sigma, 100*r.USL.Sigma, r.USL.Lambda/r.USL.Sigma))
	}
	if r.USL != nil && r.USL.Kappa > 0 && r.USL.HasPeak() {
		out = append(out, fmt.Sprintf("Coherency: USL kappa %.5f makes throughput fall beyond about %.0f %s.", r.USL.Kappa, r.USL.PeakN, r.Unit()))
	}
	if len(out) == 0 {
		out = append(out, fmt.Sprintf("None reached: every step up to %g %s met the targets; extend the steps.", last.Concurrency(), r.Unit()))
	}
	return out
}

// capacityScaling turns the steps and the USL fit into the seed's four
// scaling recommendations; noDB is noneDeclared for the database.
func capacityScaling(r *Result, th analysis.Thresholds, noDB string) Scaling {
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
			shape = fmt.Sprintf("the fit puts its throughput peak at %.0f RPS near %.0f %s", u.PeakX, u.PeakN, r.Unit())
		}
		shared := "what they share (a database, a cache) keeps up"
		switch {
		case noDB != "":
			shared = "what they share keeps up (" + noDB + ")"
		case last.PoolUtilization >= 0:
			shared = "what they share (the database) keeps up"
		}
		s.Horizontal = fmt.Sprintf("One replica meets the targets up to %g %s (%.0f RPS), and %s. For N times the load, run N times the replicas (each up to %g %s), as long as %s.",
			per, r.Unit(), r.MaxRPS, shape, per, r.Unit(), shared)
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
		s.Database = "not measured: no probe reported a pgx pool (pass --probe URL, and wire pgxprobe.New in the service)"
	case last.PoolWaits > 0:
		s.Database = fmt.Sprintf("The pool ran dry (%s, %d waits) at the last step: size it by Little's law (acquires/s x hold time / 0.8) within the server's max_connections, or shorten the holds.",
			human.Percent(last.PoolUtilization), last.PoolWaits)
	default:
		s.Database = fmt.Sprintf("The pool peaked at %s with no waits: the database is not the limit at these steps.", human.Percent(last.PoolUtilization))
	}
	s.Cache = "Measure the cache hit rate in a sustained run at the breaking load (`soak run` at that many users): a cache that misses under load moves work to the store behind it."
	return s
}

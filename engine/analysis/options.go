package analysis

// Option changes how [Analyze] judges a run beyond its targets. Options
// are sealed: only this package defines them.
type Option interface{ applyAnalyze(*Policy) }

// Policy is how a run was judged beyond its targets: the options
// [Analyze] was given. The zero value is the default.
type Policy struct {
	// StrictTargets: a throughput target the plan cannot reach
	// (engine.Plan.MaxThroughput) fails the run (ExitTargetMissed)
	// instead of reading "unreachable by this plan".
	StrictTargets bool `json:"strict_targets,omitempty"`
	// ClientOnly accepts a verdict on the client-side checks alone: a
	// run without a probe, or whose probes never answered, can then be
	// healthy, its server-side checks listed as skipped; without it such
	// a run is inconclusive (ExitInconclusive).
	ClientOnly bool `json:"client_only,omitempty"`
}

type policyFunc func(*Policy)

func (f policyFunc) applyAnalyze(p *Policy) { f(p) }

// StrictTargets makes a throughput target that the plan cannot reach a
// missed target (see [Policy]).
func StrictTargets() Option { return policyFunc(func(p *Policy) { p.StrictTargets = true }) }

// ClientOnly accepts a verdict on the client-side checks alone (see
// [Policy]).
func ClientOnly() Option { return policyFunc(func(p *Policy) { p.ClientOnly = true }) }

// WithPolicy applies every field of p (a saved Result.Policy, say).
func WithPolicy(p Policy) Option { return policyFunc(func(q *Policy) { *q = p }) }

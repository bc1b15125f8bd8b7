package analysis

// Status is a target row's outcome.
type Status string

// Target row statuses.
const (
	StatusPass    Status = "pass"
	StatusFail    Status = "fail"
	StatusWarning Status = "warning"      // e.g. rate-limit hits the policy does not explain
	StatusUnknown Status = "not measured" // Target.Why says why
	StatusNoLimit Status = "no target"    // the threshold was turned off
	// StatusUnreachable: the plan cannot reach the target whatever the
	// service does (a throughput above engine.Plan.MaxThroughput): not a
	// failure of the service, unless Policy.StrictTargets.
	StatusUnreachable Status = "unreachable"
)

// Icon is the status as the report shows it: "✅ Pass", "❌ Fail", ...
func (s Status) Icon() string {
	switch s {
	case StatusPass:
		return "✅ Pass"
	case StatusFail:
		return "❌ Fail"
	case StatusWarning:
		return "⚠️ Check"
	case StatusNoLimit:
		return "➖ No target"
	case StatusUnreachable:
		return "🚧 Unreachable by this plan"
	}
	return "❔ Not measured"
}

// Target is one row of the Results Summary: a metric, its target, what
// was measured, and the outcome.
type Target struct {
	// Component is "Database", "Cache" or "Application" for System
	// Metrics rows, "" for Performance Metrics rows.
	Component string  `json:"component,omitempty"`
	Metric    string  `json:"metric"`          // "P95 Latency"
	Target    string  `json:"target"`          // "< 500ms"
	Actual    string  `json:"actual"`          // "312 ms", or "not measured"
	Status    Status  `json:"status"`          //
	Value     float64 `json:"value,omitempty"` // the measured figure in the metric's unit (ms, fraction, RPS)
	Limit     float64 `json:"limit,omitempty"` // the threshold in the same unit
	// Why explains an unmeasured row ("no probe: pass --probe URL"), or
	// what the figure is ("peak over the steady state, pool db").
	Why string `json:"why,omitempty"`
}

package compare

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Verdict is a comparison's outcome.
type Verdict string

// Verdicts, worst first.
const (
	// VerdictRegression: a check regressed beyond its threshold with
	// confidence, or a finding is new.
	VerdictRegression Verdict = "regression"
	// VerdictInconclusive: no check could be decided (too few windows on
	// a side) and no finding is new.
	VerdictInconclusive Verdict = "inconclusive"
	// VerdictNoChange: nothing changed beyond its threshold with
	// confidence.
	VerdictNoChange Verdict = "no significant change"
	// VerdictImprovement: something improved beyond its threshold with
	// confidence (or a finding was resolved), and nothing regressed.
	VerdictImprovement Verdict = "improvement"
)

// Options are how [Compare] judges.
type Options struct {
	Margins Margins
	// AllowPlanChange compares runs whose plans differ; the differences
	// are kept in Comparison.PlanChanges.
	AllowPlanChange bool
}

// Comparison is BASE against NEW, decided. It is plain data, JSON
// encodable.
type Comparison struct {
	Base RunSummary `json:"base"`
	New  RunSummary `json:"new"`
	// PlanChanges are the plans' differences, compared anyway
	// (Options.AllowPlanChange); empty when the plans match.
	PlanChanges []string `json:"plan_changes,omitempty"`
	Margins     Margins  `json:"thresholds"`
	// Checks has one check per endpoint and metric: the aggregate first,
	// then the endpoints by name.
	Checks   []Check         `json:"checks"`
	Findings []FindingChange `json:"findings"`
	System   []Figure        `json:"system"`
	Verdict  Verdict         `json:"verdict"`
	// Headline says the verdict and what set it, in a line.
	Headline string `json:"headline"`
	// Method describes the statistics, for the reader.
	Method string   `json:"method"`
	Notes  []string `json:"notes,omitempty"`
	// Shifts are the run-wide latency changes (see [RunShift]), beside
	// which the endpoints' latency checks were judged; empty when every
	// metric's median endpoint stayed within its threshold.
	Shifts []RunShift `json:"run_shifts,omitempty"`

	// BaseTimeline and NewTimeline are every window of each run, for the
	// charts.
	BaseTimeline []Window  `json:"base_timeline"`
	NewTimeline  []Window  `json:"new_timeline"`
	BaseStart    time.Time `json:"base_start"`
	NewStart     time.Time `json:"new_start"`
}

// RunSummary names one side of a comparison.
type RunSummary struct {
	Label      string    `json:"label"`
	ID         string    `json:"id"`
	Plan       Plan      `json:"plan"`
	SteadyFrom time.Time `json:"steady_from,omitzero"`
	SteadyTo   time.Time `json:"steady_to,omitzero"`
	Windows    int       `json:"windows"`
	// WindowSeconds is the median window's width.
	WindowSeconds float64 `json:"window_s"`
}

// Compare compares new against base. It returns a [*PlanError] when their
// plans differ (unless o.AllowPlanChange), and an error wrapping
// ErrMargin for bad margins. It does not modify its inputs.
func Compare(base, new *Run, o Options) (*Comparison, error) {
	if base == nil || new == nil {
		return nil, ErrNoRun
	}
	if err := o.Margins.Validate(); err != nil {
		return nil, err
	}
	diffs := PlanDifferences(base.Plan, new.Plan)
	if len(diffs) > 0 && !o.AllowPlanChange {
		return nil, &PlanError{Differences: diffs}
	}
	c := &Comparison{Base: summarize(base), New: summarize(new), PlanChanges: diffs, Margins: o.Margins,
		BaseTimeline: base.Timeline, NewTimeline: new.Timeline, BaseStart: base.Start, NewStart: new.Start}
	c.Method = fmt.Sprintf("moving-block bootstrap of the steady-state windows, %d replicates, %.0f%% intervals, seeded per check; "+
		"a change counts when its interval excludes zero and it is beyond its threshold", Replicates, 100*Level)
	for _, ep := range endpoints(base, new) {
		c.Checks = append(c.Checks, checkEndpoint(ep, base, new, o.Margins)...)
		if only := onlyIn(ep, base, new); only != "" {
			c.Notes = append(c.Notes, fmt.Sprintf("%s: requested in %s only", ep, only))
		}
	}
	c.mixShifts()
	c.runShifts()
	c.Findings = compareFindings(base, new)
	c.System = systemFigures(base, new)
	c.decide()
	return c, nil
}

func summarize(r *Run) RunSummary {
	s := RunSummary{Label: r.Label, ID: r.ID, Plan: r.Plan, SteadyFrom: r.SteadyFrom, SteadyTo: r.SteadyTo, Windows: len(r.Windows)}
	if len(r.Windows) > 0 {
		ws := make([]float64, len(r.Windows))
		for i := range r.Windows {
			ws[i] = r.Windows[i].Seconds()
		}
		slices.Sort(ws)
		s.WindowSeconds = ws[len(ws)/2]
	}
	return s
}

// endpoints lists the endpoints of either run's windows: the aggregate
// first, then by name.
func endpoints(runs ...*Run) []string {
	set := map[string]bool{}
	for _, r := range runs {
		for _, w := range r.Windows {
			for k := range w.Endpoints {
				set[k] = true
			}
		}
	}
	delete(set, AggregatedName)
	out := make([]string, 0, len(set)+1)
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return append([]string{AggregatedName}, out...)
}

// onlyIn is "BASE" or "NEW" for an endpoint requested by one run only.
func onlyIn(ep string, base, new *Run) string {
	b, n := len(samples(base, ep)) > 0, len(samples(new, ep)) > 0
	switch {
	case b && !n:
		return "BASE"
	case n && !b:
		return "NEW"
	}
	return ""
}

// samples are the windows of r in which ep had requests.
func samples(r *Run, ep string) []Sample {
	var out []Sample
	for _, w := range r.Windows {
		if s, ok := w.Endpoints[ep]; ok && s.Requests > 0 {
			out = append(out, s)
		}
	}
	return out
}

// rates are ep's requests per second in every window of r (0 in a
// window without any): throughput is judged over the whole steady state.
func rates(r *Run, ep string) []Sample {
	out := make([]Sample, len(r.Windows))
	for i, w := range r.Windows {
		s := w.Endpoints[ep]
		if secs := w.Seconds(); secs > 0 {
			out[i] = Sample{P50: float64(s.Requests) / secs} // the rate rides in P50
		}
	}
	return out
}

// checkEndpoint makes the five checks of one endpoint.
func checkEndpoint(ep string, base, new *Run, th Margins) []Check {
	bs, ns := samples(base, ep), samples(new, ep)
	var out []Check
	for _, m := range Metrics {
		ch := Check{Endpoint: ep, Metric: m, Threshold: th.forMetric(m), Windows: [2]int{len(bs), len(ns)}}
		var e estimate
		switch m {
		case MetricP50, MetricP95, MetricP99:
			ch.Unit = "ms"
			f := map[Metric]func(*Sample) float64{
				MetricP50: func(s *Sample) float64 { return s.P50 },
				MetricP95: func(s *Sample) float64 { return s.P95 },
				MetricP99: func(s *Sample) float64 { return s.P99 },
			}[m]
			if enough(&ch) && enoughPerWindow(&ch, bs, ns) {
				e = bootstrap(ch.Name(), bs, ns, medianOf(f), relative)
			}
		case MetricThroughput:
			ch.Unit = "req/s"
			if enough(&ch) {
				rate := func(s *Sample) float64 { return s.P50 }
				e = bootstrap(ch.Name(), rates(base, ep), rates(new, ep), meanOf(rate), relative)
			}
		case MetricErrorRate:
			ch.Unit = "fraction"
			if enough(&ch) {
				e = bootstrap(ch.Name(), bs, ns, errorRate, difference)
			}
		}
		if ch.Status == "" {
			ch.judge(e, th)
		}
		out = append(out, ch)
	}
	return out
}

// enough marks ch insufficient when a side has fewer than MinWindows
// windows with requests.
func enough(ch *Check) bool {
	if ch.Windows[0] < MinWindows || ch.Windows[1] < MinWindows {
		ch.Status = StatusInsufficient
		ch.Why = fmt.Sprintf("%d windows with requests in BASE, %d in NEW: fewer than %d on a side", ch.Windows[0], ch.Windows[1], MinWindows)
		return false
	}
	return true
}

// minWindowRequests is the fewest requests the median window of an
// endpoint must hold, on both sides, for a quantile check: below
// 1/(1-q), a window's p95 or p99 is its slowest request, which one
// scheduler hiccup sets; that is the machine, not the service.
var minWindowRequests = map[Metric]int64{MetricP50: 1, MetricP95: 20, MetricP99: 100}

// enoughPerWindow marks a quantile check insufficient when the median
// window of either side holds too few requests of the endpoint.
func enoughPerWindow(ch *Check, base, new []Sample) bool {
	need := minWindowRequests[ch.Metric]
	for i, s := range [][]Sample{base, new} {
		reqs := make([]int64, len(s))
		for j := range s {
			reqs[j] = s[j].Requests
		}
		slices.Sort(reqs)
		if med := reqs[len(reqs)/2]; med < need {
			ch.Status = StatusInsufficient
			ch.Why = fmt.Sprintf("the median window of %s holds %d requests of the endpoint; a %s needs %d (a longer run makes wider windows)",
				[]string{"BASE", "NEW"}[i], med, ch.Metric, need)
			return false
		}
	}
	return true
}

// judge sets ch's figures from e and decides its status.
func (ch *Check) judge(e estimate, th Margins) {
	ch.Base, ch.New, ch.Change, ch.Low, ch.High, ch.Confidence = e.base, e.new, e.change, e.lo, e.hi, e.confidence
	if math.IsNaN(ch.Change) {
		ch.Status, ch.Why = StatusInsufficient, "BASE is zero: no relative change"
		ch.Change, ch.Low, ch.High = 0, 0, 0
		return
	}
	ch.Significant = ch.Low > 0 || ch.High < 0
	if ch.Threshold < 0 {
		ch.Status, ch.Why = StatusOff, "threshold turned off"
		return
	}
	// worse is the change in the direction that hurts: up for latency
	// and errors, down for throughput.
	worse := ch.Change
	if ch.Metric == MetricThroughput {
		worse = -worse
	}
	small := ch.Unit == "ms" && math.Abs(ch.New-ch.Base) < float64(th.MinLatencyChange)/float64(time.Millisecond)
	switch {
	case !ch.Significant:
		ch.Status, ch.Why = StatusNoChange, fmt.Sprintf("not significant: the %.0f%% interval holds zero", 100*Level)
	case small:
		ch.Status, ch.Why = StatusNoChange, fmt.Sprintf("significant but under %v", th.MinLatencyChange)
	case worse > ch.Threshold:
		ch.Status, ch.Why = StatusRegression, fmt.Sprintf("worse by more than %s, significant", ch.thresholdText())
	case -worse > ch.Threshold:
		ch.Status, ch.Why = StatusImprovement, fmt.Sprintf("better by more than %s, significant", ch.thresholdText())
	default:
		ch.Status, ch.Why = StatusNoChange, fmt.Sprintf("significant but within %s", ch.thresholdText())
	}
}

func (ch *Check) thresholdText() string {
	if ch.Metric == MetricErrorRate {
		return fmt.Sprintf("%g pt", 100*ch.Threshold)
	}
	return fmt.Sprintf("%g%%", 100*ch.Threshold)
}

// mixShifts judges an endpoint's throughput only beside the total's: an
// endpoint whose throughput moved while the total's did not (or moved the
// other way) shows a change in the load's mix of requests, which the
// users' random choices of tasks make from run to run (a user keeps its
// class and its habits for the whole run, which resampling windows
// cannot see), not the service. Its figures stay; its status becomes no
// significant change, saying so.
func (c *Comparison) mixShifts() {
	total := c.Find(AggregatedName, MetricThroughput)
	if total == nil {
		return
	}
	for i := range c.Checks {
		ch := &c.Checks[i]
		if ch.Metric != MetricThroughput || ch.Endpoint == AggregatedName || ch.Status == total.Status {
			continue
		}
		if ch.Status == StatusRegression || ch.Status == StatusImprovement {
			ch.Why = fmt.Sprintf("%s alone, the total throughput's is %s: the load's mix of requests shifted (the users' random choices), not judged",
				ch.Status, total.Status)
			ch.Status = StatusNoChange
		}
	}
}

// decide sets the verdict and headline.
func (c *Comparison) decide() {
	var reg, imp, decided []string
	// Findings first: a new defect says more than any percentage.
	for _, f := range c.Findings {
		switch f.Status {
		case FindingNew:
			reg = append(reg, "new finding "+f.Key())
		case FindingResolved:
			imp = append(imp, "resolved "+f.Key())
		}
	}
	for i := range c.Checks {
		ch := &c.Checks[i]
		switch ch.Status {
		case StatusRegression:
			reg = append(reg, ch.Name()+" "+ch.formatChange(ch.Change))
		case StatusImprovement:
			imp = append(imp, ch.Name()+" "+ch.formatChange(ch.Change))
		}
		if ch.Status != StatusInsufficient {
			decided = append(decided, ch.Name())
		}
	}
	switch {
	case len(reg) > 0:
		c.Verdict = VerdictRegression
		c.Headline = "regression: " + list(reg)
	case len(decided) == 0:
		c.Verdict = VerdictInconclusive
		c.Headline = fmt.Sprintf("inconclusive: no check had %d windows with requests in both runs", MinWindows)
	case len(imp) > 0:
		c.Verdict = VerdictImprovement
		c.Headline = "improvement: " + list(imp)
	default:
		c.Verdict = VerdictNoChange
		c.Headline = fmt.Sprintf("no significant change: %d checks within their thresholds or not significant", len(decided))
	}
}

// list joins up to 5 items, and says how many more.
func list(items []string) string {
	const most = 5
	if len(items) <= most {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:most], ", ") + fmt.Sprintf(" and %d more", len(items)-most)
}

// Regressions returns the checks that regressed.
func (c *Comparison) Regressions() []Check {
	var out []Check
	for _, ch := range c.Checks {
		if ch.Status == StatusRegression {
			out = append(out, ch)
		}
	}
	return out
}

// Find returns the check of endpoint and metric, or nil.
func (c *Comparison) Find(endpoint string, m Metric) *Check {
	for i := range c.Checks {
		if c.Checks[i].Endpoint == endpoint && c.Checks[i].Metric == m {
			return &c.Checks[i]
		}
	}
	return nil
}

package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/soaklab/soak/engine/analysis/pprofsite"
	"github.com/soaklab/soak/engine/analysis/stats"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
	"github.com/soaklab/soak/probe"
)

// minGoroutineLeak is the fewest goroutines a leak verdict needs, both
// growing through the steady state and left after the drain: a handful
// of goroutines started lazily (a worker pool, a timer) is not a leak.
const minGoroutineLeak = 10

// DetectorGoroutineLeak is the goroutine-leak detector's name.
const DetectorGoroutineLeak Detector = "goroutine-leak"

// goroutineLeak is the goroutine-leak detector.
type goroutineLeak struct{}

func (goroutineLeak) name() Detector { return DetectorGoroutineLeak }

func (goroutineLeak) perSource() bool { return true }

// detect compares the goroutines beyond the requests in flight over the
// steady state, the stacks that grew, and what stayed after the drain.
func (goroutineLeak) detect(a *analyzer, s *capture.SourceTimeline) Finding {
	d := DetectorGoroutineLeak
	steady, ok := a.c.Timing.Span(capture.PhaseSteady)
	if !ok {
		return unknown(d, s.Name, "no steady state in this run (the warm-up covered the whole load)")
	}
	pts := s.In(capture.PhaseSteady)
	if len(pts) < stats.MinPoints {
		return unknown(d, s.Name, fmt.Sprintf("only %d samples in the %s steady state, %d are needed", len(pts),
			human.Span(steady.Duration()), stats.MinPoints))
	}
	g := &GoroutineFigures{}
	if b := s.Last[capture.PhaseBaseline]; b != nil {
		g.Baseline = b.Runtime.Goroutines
	}
	g.SteadyStart, g.SteadyEnd = pts[0].Goroutines, pts[len(pts)-1].Goroutines
	drained := s.Last[capture.PhaseDrain] != nil
	if drained {
		g.AfterDrain = s.Last[capture.PhaseDrain].Runtime.Goroutines
		g.Residue = g.AfterDrain - g.Baseline
	}
	first, last := pts[0], pts[len(pts)-1]
	if dt := last.Time.Sub(first.Time).Seconds(); dt > 0 && last.HTTPRequests > first.HTTPRequests {
		n := float64(last.HTTPRequests - first.HTTPRequests)
		g.ArrivalRate = n / dt
		g.ServerLatency = serverMean(&first, &last)
		g.ExpectedInFlight = g.ArrivalRate * g.ServerLatency.Seconds()
	}
	xs, ys := make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		xs[i] = p.Time.Sub(first.Time).Seconds()
		ys[i] = float64(p.Goroutines - p.InFlight)
	}
	g.Unexplained = stats.TheilSen(xs, ys)
	late := stats.TheilSen(xs[len(xs)/2:], ys[len(ys)/2:])
	growing, stackEarly, stackLate, stacksWhy := a.growingStacks(s.Name, s.Last[capture.PhaseDrain])
	for _, sp := range growing {
		g.Growing += sp.Value
	}
	g.GrowingSteady = stackEarly + stackLate
	f := Finding{Detector: d, Source: s.Name, Goroutines: g}
	a.goroutineLeakProfile(&f, s.Name)
	f.Evidence = goroutineEvidence(g, drained, late)
	if stacksWhy != "" {
		f.Evidence = append(f.Evidence, "Goroutine stacks: "+stacksWhy+".")
	}
	// The trend must rise in both halves, not step once (a pool started
	// mid-run). A leak of rare events steps up a few times a minute, and
	// a half with a few steps and long flats can have a Theil-Sen slope of
	// 0; stacks that grew at every profile, start < middle < end, and
	// explain at least half the rise say the same thing as a rising
	// second half.
	rise := g.Unexplained.Slope * steady.Duration().Seconds()
	stacksExplain := g.GrowingSteady > 0 && float64(g.GrowingSteady) >= 0.5*rise
	bothHalves := late.Rising() || stacksExplain
	trendLeak := g.Unexplained.Rising() && bothHalves && rise >= minGoroutineLeak
	// A stack is a leak by what it gained while the steady state went on:
	// a pool started lazily in the warm-up that widens by a worker or two
	// later has all its workers beyond the baseline, but gained few.
	stackLeak := g.GrowingSteady >= minGoroutineLeak
	residueLeak := !drained || g.Residue >= minGoroutineLeak
	g.DrainFalling = drainFalling(s.In(capture.PhaseDrain))
	slowing := false
	if (stackLeak || trendLeak) && residueLeak && g.LeakProfileCount == 0 {
		// Only a leak's case asks whether the growth slowed (two fits).
		g.EarlyGrowth, g.LateGrowth, g.PerRequest = halvesGrowth(pts)
		slowing = g.EarlyGrowth >= minGoroutineLeak && g.LateGrowth < minGoroutineLeak && g.LateGrowth <= slowingGoroutines*g.EarlyGrowth
	}
	// Below the bar, a leak's three signs can all be there, only small:
	// the count rising through both halves, a stack that grew at every
	// profile of the steady state, and goroutines left after the drain.
	// Such a run cannot call it healthy (a slow leak grows past any bar
	// in a longer soak); a pool still widening is the other reading.
	// Whether the growth slowed is read from the stacks' counts, which
	// see the rare steps a fit of each half may not.
	smallLeak := !(stackLeak || trendLeak) && g.Unexplained.Rising() && bothHalves && drained && g.GrowingSteady > 0 &&
		g.Residue > 0 && g.LeakProfileCount == 0 && float64(stackLate) > slowingGoroutines*float64(stackEarly)
	switch {
	case trendLeak && residueLeak && !stackLeak && g.LeakProfileCount == 0 && g.DrainFalling.Falling():
		// Goroutines that outlive their requests and end on their own
		// (a timeout, a delayed cleanup) grow through a run shorter than
		// their lifetime and are still ending when the drain does; no
		// stack stayed put to single out a leak among them.
		f.Verdict, f.Severity, f.Confidence = VerdictInconclusive, SeverityMedium, 0.5
		f.Summary = fmt.Sprintf("goroutines beyond the requests in flight grew %.1f per minute and %d were left after the drain, but they were still ending when it stopped (%.1f per minute over its last %d samples): goroutines that outlive their requests and end later (a timeout, a delayed cleanup), or a leak among them",
			60*g.Unexplained.Slope, g.Residue, -60*g.DrainFalling.Slope, g.DrainFalling.N)
		f.NextStep = "Run again with a drain longer than the service's longest timeout (--drain 2m, say): goroutines that end on their own are gone by its end, leaked ones stay."
	case (stackLeak || trendLeak) && residueLeak && slowing:
		// A pool that widens to what the load needs (workers started on
		// demand and kept) grows fast at first and less and less: a
		// leak per request grows as fast in both halves.
		f.Verdict, f.Severity, f.Confidence = VerdictWarning, SeverityMedium, 0.6
		f.Summary = fmt.Sprintf("goroutines beyond the requests in flight grew and %d stayed after the drain, but their growth slowed: %.0f in the steady state's first half, %.0f in its second (%s): a pool widening to what the load needs, not a leak per request",
			g.Residue, g.EarlyGrowth, g.LateGrowth, growthBasis(g.PerRequest))
		f.Suspects = append(f.Suspects, growing...)
		f.NextStep = "Run a longer soak: a pool that widens on demand levels off, a leak tied to something the run used up (its users, its keys) goes on when new ones come. Read the stacks that grew to see which it is."
	case (stackLeak || trendLeak) && residueLeak || g.LeakProfileCount > 0:
		f.Verdict, f.Severity = VerdictDetected, SeverityHigh
		f.Confidence = math.Min(maxConfidence, 1-g.Unexplained.PRising)
		if stackLeak {
			f.Confidence = math.Max(f.Confidence, 0.95)
		}
		if g.LeakProfileCount > 0 {
			f.Confidence = maxConfidence
		}
		f.Suspects = append(f.Suspects, growing...)
		f.Summary = fmt.Sprintf("goroutines grow %.1f per minute beyond the requests in flight and %d stay after the drain: a leak",
			60*g.Unexplained.Slope, g.Residue)
		if len(f.Suspects) > 0 {
			top := f.Suspects[0]
			f.Summary += fmt.Sprintf("; %d goroutines wait in %s", top.Value, top.Function)
			f.NextStep = fmt.Sprintf("Read %s: its goroutines never return. Make sure whatever they wait for is always closed or cancelled (pass a context).",
				top.Location())
			o := ownerOf(top.Function)
			if o != nil {
				f.Summary += ": " + o.what
				f.NextStep = o.fix
			}
			if len(top.Routes) > 0 {
				f.Summary += ", started by " + routeCounts(top.Routes)
				f.NextStep += " They were started while serving " + routeCounts(top.Routes[:1])
				if o != nil {
					f.NextStep += ": read that handler's calls through it."
				} else {
					f.NextStep += "."
				}
			}
			f.NextStep += fmt.Sprintf(" See %s.", pprofTopCommand(top.Profile))
		}
	case smallLeak:
		f.Verdict, f.Severity, f.Confidence = VerdictInconclusive, SeverityMedium, 0.5
		f.Suspects = append(f.Suspects, growing...)
		f.Summary = fmt.Sprintf("goroutines beyond the requests in flight rise %.2f per minute, and the stacks that grew gained in the steady state's second half about what they gained in its first (%d, then %d); %d stayed after the drain",
			60*g.Unexplained.Slope, stackEarly, stackLate, g.Residue)
		if len(growing) > 0 {
			top := growing[0]
			f.Summary += fmt.Sprintf(", %d of them waiting in %s, which grew at every profile of the steady state", top.Value, top.Function)
			if len(top.Routes) > 0 {
				f.Summary += " (started by " + routeCounts(top.Routes) + ")"
			}
		}
		f.Summary += fmt.Sprintf(": a slow leak, or a pool still widening; fewer than the %d a leak verdict needs in this run", minGoroutineLeak)
		f.NextStep = fmt.Sprintf("Run a soak whose steady state lasts at least %s (%d goroutines at the slowest rate the run allows, %.2f per minute): a leak keeps growing at the same rate, a pool levels off.",
			human.Span(smallLeakSpan(g.Unexplained)), minGoroutineLeak, 60*g.Unexplained.Lo)
		if len(growing) > 0 {
			f.NextStep += fmt.Sprintf(" Meanwhile read %s: what its goroutines wait for must always be closed or cancelled.", growing[0].Location())
		}
		f.NextStep += " A service built with GOEXPERIMENT=goroutineleakprofile lets soak read which goroutines can never wake."
	case g.Unexplained.Rising() && late.Rising():
		f.Verdict, f.Severity, f.Confidence = VerdictWarning, SeverityMedium, 0.6
		f.Summary = fmt.Sprintf("goroutines beyond the requests in flight rise %.2f per minute, below the leak bar (%d growing through the steady state and left after the drain)",
			60*g.Unexplained.Slope, minGoroutineLeak)
		f.NextStep = "Run a longer soak to see whether the count keeps rising."
	default:
		f.Verdict, f.Confidence = VerdictOK, 0.9
		if !drained {
			f.Confidence = 0.7
		}
		f.Summary = fmt.Sprintf("goroutines do not grow under load (%d at the start of the steady state, %d at its end; Little's law puts %s in flight, and the others hold connections open%s) and return to %d after the drain (baseline %d)",
			g.SteadyStart, g.SteadyEnd, inFlightText(g.ExpectedInFlight), a.inProcessNote(s.Name), g.AfterDrain, g.Baseline)
		if g.Residue > 0 {
			f.Summary += fmt.Sprintf("; %d started once and stayed (a lazily started pool, not growing)", g.Residue)
		}
	}
	return f
}

// smallLeakSpan is the steady state in which goroutines rising at tr's
// lower bound (per second) gain minGoroutineLeak, rounded up to a minute.
func smallLeakSpan(tr stats.Trend) time.Duration {
	rate := tr.Lo
	if rate <= 0 {
		rate = tr.Slope
	}
	if rate <= 0 {
		return 0
	}
	d := time.Duration(float64(minGoroutineLeak) / rate * float64(time.Second))
	return (d + time.Minute - 1).Truncate(time.Minute)
}

// slowingGoroutines: the steady state's second half grew at most this
// share of what its first half grew (and less than minGoroutineLeak),
// and the first half at least minGoroutineLeak, for the growth to read
// as a pool widening to its need rather than a leak per request.
const slowingGoroutines = 0.5

// halvesGrowth fits the goroutines beyond the requests in flight in each
// half of the steady-state points pts, against the requests served when
// the probe counts them (a leak per request grows as fast per request
// in both halves, even when throughput falls), else against time, and
// returns what each half gained by its fit.
func halvesGrowth(pts []capture.Point) (early, late float64, perRequest bool) {
	perRequest = pts[len(pts)-1].HTTPRequests > pts[0].HTTPRequests
	xs, ys := make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		xs[i] = p.Time.Sub(pts[0].Time).Seconds()
		if perRequest {
			xs[i] = float64(p.HTTPRequests - pts[0].HTTPRequests)
		}
		ys[i] = float64(p.Goroutines - p.InFlight)
	}
	h := len(pts) / 2
	gain := func(x, y []float64) float64 {
		if len(x) < stats.MinPoints {
			return y[len(y)-1] - y[0]
		}
		return stats.TheilSen(x, y).Slope * (x[len(x)-1] - x[0])
	}
	return gain(xs[:h+1], ys[:h+1]), gain(xs[h:], ys[h:]), perRequest
}

// growthBasis says what halvesGrowth fitted against.
func growthBasis(perRequest bool) string {
	if perRequest {
		return "fitted against the requests served"
	}
	return "fitted against time: the probe counted no request"
}

// drainFalling is the goroutines' trend over the drain, per second,
// from its second sample on (the first still counts the load's
// connections closing).
func drainFalling(pts []capture.Point) stats.Trend {
	if len(pts) < 2 {
		return stats.Trend{}
	}
	pts = pts[1:]
	xs, ys := make([]float64, len(pts)), make([]float64, len(pts))
	for i, p := range pts {
		xs[i] = p.Time.Sub(pts[0].Time).Seconds()
		ys[i] = float64(p.Goroutines)
	}
	return stats.TheilSen(xs, ys)
}

func goroutineEvidence(g *GoroutineFigures, drained bool, late stats.Trend) []string {
	ev := []string{
		fmt.Sprintf("Goroutines: %d at baseline, %d at the start of the steady state, %d at its end, %d after the drain (residue %+d).",
			g.Baseline, g.SteadyStart, g.SteadyEnd, g.AfterDrain, g.Residue),
		fmt.Sprintf("Little's law: %.1f requests/s x %s mean server latency = %.1f requests in flight expected.",
			g.ArrivalRate, human.Millis(g.ServerLatency), g.ExpectedInFlight),
		fmt.Sprintf("Goroutines beyond the requests in flight: Theil-Sen slope %.2f per minute (95%% CI %.2f to %.2f); second half %.2f per minute.",
			60*g.Unexplained.Slope, 60*g.Unexplained.Lo, 60*g.Unexplained.Hi, 60*late.Slope),
	}
	if !drained {
		ev = append(ev, "No sample after the drain: the residue is not measured.")
	}
	if d := g.DrainFalling; d.N >= stats.MinPoints {
		ev = append(ev, fmt.Sprintf("Through the drain (after its first sample): Theil-Sen slope %.1f per minute (95%% CI %.1f to %.1f) over %d samples.",
			60*d.Slope, 60*d.Lo, 60*d.Hi, d.N))
	}
	ev = append(ev, "goroutineleak profile: "+g.LeakProfile+".")
	return ev
}

// growingStacks compares the goroutine profiles of the capture moments
// and returns the stacks whose count rose in both halves of the steady
// state and did not fall after the drain, most first (each one's Value
// counted from the baseline), and what they gained from the steady
// state's start to its end, summed. why says what was missing when the
// comparison could not be made.
func (a *analyzer) growingStacks(source string, drained *probe.Snapshot) (out []Suspect, early, late int64, why string) {
	moments := []capture.Moment{capture.MomentBaselineEnd, capture.MomentSteadyStart, capture.MomentSteadyMid, capture.MomentSteadyEnd, capture.MomentDrainEnd}
	counts := make([]map[string]*pprofsite.Stack, len(moments))
	for i, m := range moments {
		p := a.c.Profile(source, probe.ProfileGoroutine, m)
		if p == nil {
			if m == capture.MomentBaselineEnd {
				continue // without a baseline, growth is measured from zero
			}
			return nil, 0, 0, "no goroutine profile " + a.c.ProfileError(source, probe.ProfileGoroutine, m)
		}
		c, err := pprofsite.GoroutineStacks(p.Data)
		if err != nil {
			return nil, 0, 0, "analysis: " + err.Error()
		}
		counts[i] = c
	}
	at := func(i int, k string) int64 {
		if counts[i] == nil || counts[i][k] == nil {
			return 0
		}
		return counts[i][k].Count
	}
	// Group the stacks by their site, so that stacks differing only in a
	// caller's line still add up.
	type group struct {
		site   pprofsite.Site
		n      [5]int64
		stack  []pprofsite.Stack
		routes map[pprofsite.Route]int64 // of those left after the drain
	}
	groups := map[pprofsite.Site]*group{}
	for k, sc := range counts[4] {
		g := groups[sc.Site]
		if g == nil {
			g = &group{site: sc.Site}
			groups[sc.Site] = g
		}
		for i := range moments {
			g.n[i] += at(i, k)
		}
		g.stack = append(g.stack, *sc)
		for r, n := range sc.Routes {
			if g.routes == nil {
				g.routes = map[pprofsite.Route]int64{}
			}
			g.routes[r] += n
		}
	}
	drainPath := ""
	if p := a.c.Profile(source, probe.ProfileGoroutine, capture.MomentDrainEnd); p != nil {
		drainPath = p.Path
	}
	for _, g := range groups {
		n := g.n
		if !(n[2] > n[1] && n[3] > n[2] && n[4]*10 >= n[3]*9 && n[4]-n[0] > 0) {
			continue
		}
		early, late = early+n[2]-n[1], late+n[3]-n[2]
		slices.SortFunc(g.stack, func(x, y pprofsite.Stack) int { return cmp.Compare(y.Count, x.Count) })
		sp := Suspect{Function: g.site.Function, File: g.site.File, Line: g.site.Line, Value: n[4] - n[0], Unit: "goroutines",
			Detail: fmt.Sprintf("%d at baseline, %d / %d / %d through the steady state, %d after the drain", n[0], n[1], n[2], n[3], n[4]),
			Stack:  g.stack[0].Frames, Profile: drainPath, Routes: startedBy(g.routes, drained)}
		if len(sp.Routes) > 0 {
			sp.Detail += "; started by " + routeCounts(sp.Routes)
		}
		out = append(out, sp)
	}
	slices.SortFunc(out, func(x, y Suspect) int {
		return cmp.Or(cmp.Compare(y.Value, x.Value), cmp.Compare(x.Function, y.Function))
	})
	var total int64
	for _, s := range out {
		total += s.Value
	}
	for i := range out {
		out[i].Share = float64(out[i].Value) / float64(total)
	}
	return out[:min(len(out), 5)], early, late, ""
}

// startedBy lists the routes whose requests started a suspect's
// goroutines (most first), with the rate per 1,000 of the route's requests
// the probe counted by the drain's end (0 when it counted none).
func startedBy(routes map[pprofsite.Route]int64, drained *probe.Snapshot) []RouteRate {
	var out []RouteRate
	for r, n := range routes {
		out = append(out, routeRate(r.Method, r.Route, n, drained))
	}
	slices.SortFunc(out, func(x, y RouteRate) int {
		return cmp.Or(cmp.Compare(y.Count, x.Count), cmp.Compare(x.Route, y.Route), cmp.Compare(x.Method, y.Method))
	})
	return out
}

// routeCounts is "GET /api/export (22, 4.1 per 1,000 requests), ...", at
// most three routes.
func routeCounts(rs []RouteRate) string {
	var parts []string
	for i, r := range rs {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("%d more routes", len(rs)-3))
			break
		}
		p := fmt.Sprintf("%s (%d", strings.TrimSpace(r.Method+" "+r.Route), r.Count)
		if r.Per1000 > 0 {
			p += fmt.Sprintf(", %s per 1,000 requests", per1000(r.Per1000))
		}
		parts = append(parts, p+")")
	}
	return strings.Join(parts, ", ")
}

// goroutineLeakProfile reads the drain-end goroutineleak profile, if the
// service has it: every goroutine in it is blocked forever.
func (a *analyzer) goroutineLeakProfile(f *Finding, source string) {
	g := f.Goroutines
	p := a.c.Profile(source, probe.ProfileGoroutineLeak, capture.MomentDrainEnd)
	if p == nil {
		why := a.c.ProfileError(source, probe.ProfileGoroutineLeak, capture.MomentDrainEnd)
		g.LeakProfile = "not available (" + why + ")"
		return
	}
	stacks, err := pprofsite.GoroutineStacks(p.Data)
	if err != nil {
		g.LeakProfile = "unreadable: analysis: " + err.Error()
		return
	}
	g.LeakProfile = "available"
	for _, sc := range stacks {
		g.LeakProfileCount += sc.Count
		f.Suspects = append(f.Suspects, Suspect{Function: sc.Site.Function, File: sc.Site.File, Line: sc.Site.Line, Value: sc.Count,
			Unit: "goroutines", Detail: "blocked forever (goroutineleak profile)", Stack: sc.Frames, Profile: p.Path})
	}
	f.Suspects = mergeSuspects(f.Suspects)
}

// pprofTopCommand is the command that lists a profile's top entries.
func pprofTopCommand(path string) string {
	if path == "" {
		return "the goroutine profile (`go tool pprof -top <profile>`)"
	}
	return "`go tool pprof -top " + path + "`"
}

// inProcessNote is ", and run soak's own virtual users, in this process"
// for a source that shares soak's process (its goroutine count includes
// the load generator's), else "".
func (a *analyzer) inProcessNote(source string) string {
	if a.c.Config != nil && slices.Contains(a.c.Config.InProcess, source) {
		return " or, in this process, run soak's own virtual users"
	}
	return ""
}

// inFlightText is Little's law's requests in flight in words: "about 1
// request", "about 12 requests", "under one request".
func inFlightText(n float64) string {
	switch r := math.Round(n); {
	case r < 1:
		return "under one request"
	case r == 1:
		return "about 1 request"
	default:
		return fmt.Sprintf("about %.0f requests", r)
	}
}

// GoroutineFigures are the goroutine-leak detector's measurements for one
// source.
type GoroutineFigures struct {
	// Goroutine counts at the baseline's end, the steady state's start
	// and end, and the drain's end.
	Baseline    int64 `json:"baseline"`
	SteadyStart int64 `json:"steady_start"`
	SteadyEnd   int64 `json:"steady_end"`
	AfterDrain  int64 `json:"after_drain"`
	// Residue is AfterDrain - Baseline: goroutines the run left behind.
	Residue int64 `json:"residue"`
	// ArrivalRate (requests/s) and ServerLatency (mean, server side) over
	// the steady state give Little's law's expected in-flight requests,
	// ExpectedInFlight = ArrivalRate x ServerLatency.
	ArrivalRate      float64       `json:"arrival_rate"`
	ServerLatency    time.Duration `json:"server_latency_ns"`
	ExpectedInFlight float64       `json:"expected_in_flight"`
	// Unexplained is the Theil-Sen slope, in goroutines per second over
	// the steady state, of the goroutines the load does not explain
	// (goroutines minus requests in flight).
	Unexplained stats.Trend `json:"unexplained"`
	// DrainFalling is the goroutines' trend through the drain after its
	// first sample, in goroutines per second: falling when goroutines
	// were still ending as the drain stopped.
	DrainFalling stats.Trend `json:"drain_trend"`
	// Growing is the goroutines, summed over the stacks whose count only
	// grew through the steady state and stayed after the drain.
	Growing int64 `json:"growing"`
	// GrowingSteady is what those stacks gained from the steady state's
	// start to its end: the growth a stack leak is judged by.
	GrowingSteady int64 `json:"growing_steady"`
	// EarlyGrowth and LateGrowth are what the goroutines beyond the
	// requests in flight gained in the steady state's first and second
	// halves, by a Theil-Sen fit against the requests served
	// (PerRequest) or, when the probe counts none, against time. Growth
	// that slowed to half or less, below minGoroutineLeak in the second
	// half, is a pool widening to its need: a warning, not a leak. Set
	// only when the growth would otherwise be a leak (0 otherwise).
	EarlyGrowth float64 `json:"early_growth,omitempty"`
	LateGrowth  float64 `json:"late_growth,omitempty"`
	PerRequest  bool    `json:"per_request,omitempty"`
	// LeakProfile says whether the goroutineleak profile was available,
	// and LeakProfileCount how many goroutines it reported.
	LeakProfile      string `json:"leak_profile"`
	LeakProfileCount int64  `json:"leak_profile_count"`
}

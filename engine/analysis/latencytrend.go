package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/analysis/stats"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
)

// Latency-trend constants (see docs/report.md). The judged span (the
// steady state, or each load stage held long enough) is cut into at most
// latencyBlocks blocks of whole intervals, each of at least
// minBlockRequests requests on average; each block's p95 is one point.
// The p95 "rose" when the last quarter's median p95 is at least
// latencyRiseRatio times the first quarter's and minLatencyRise above
// it, and the Theil-Sen slope of its logarithm is above 0 with 95 %
// confidence. It "drifts" when, beyond that, the last quarter is at
// least latencyDriftRatio times the first and the second half alone
// still rises, by at least lateRiseRatio across it, with 95 % confidence
// allowing for the latency's serial correlation (a machine's load
// wanders for tens of seconds: stats.TheilSenSerial), so that a step
// that held, or a rise that levelled off, is not read as a drift.
const (
	latencyBlocks     = 40
	minBlockRequests  = 100
	latencyRiseRatio  = 1.5
	latencyDriftRatio = 2
	lateRiseRatio     = 1.2
	minLatencyRise    = 5 * time.Millisecond
	// routeApart: a route's own trend is judged when its rise is at
	// least this many times the other routes', as a ratio and in
	// milliseconds (see judgeRoutes).
	routeApart = 1.5
)

// Latency shapes (LatencyFigures.Trend).
const (
	latencyStable  = "stable"        // one level, or a change below the bars
	latencyRising  = "rising"        // rose, and still rising in the second half: a drift
	latencyRose    = "rose and held" // rose, then held (a step, or a rise that levelled off)
	latencyFalling = "falling"       // fell (a warm-up that went on into the steady state)
)

// DetectorLatencyTrend is the latency-trend detector's name.
const DetectorLatencyTrend Detector = "latency-trend"

// latencyTrend is the latency-trend detector: the client-side p95 over
// the steady state at one load level. A service whose requests get
// slower as it runs (a table scanned as it grows, a queue or a lock wait
// getting longer, a collector working harder) drifts while every target
// still passes; this detector sees the drift, names the routes that
// slowed most and says when the p95 target would be missed at its rate.
type latencyTrend struct{}

func (latencyTrend) name() Detector { return DetectorLatencyTrend }

func (latencyTrend) perSource() bool { return false }

// LatencyFigures are the latency-trend detector's measurements (client
// side, every request of the judged span: failures and 429s included).
type LatencyFigures struct {
	// Start and End bound the judged span: the steady state, or the load
	// stage named by the finding's Stage.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Blocks is the number of points the trend was fitted to, each the
	// p95 of Requests/Blocks requests or more.
	Blocks   int   `json:"blocks"`
	Requests int64 `json:"requests"`
	// Windows are thirds of the judged span, of whole blocks (each in the
	// third its middle falls in, the window's bounds the blocks'), each
	// with its percentiles.
	Windows []LatencyWindow `json:"windows"`
	// FirstP95 and LastP95 are the medians of the blocks' p95 in the
	// span's first and last quarters; Rise is LastP95 / FirstP95.
	FirstP95 time.Duration `json:"first_p95_ns"`
	LastP95  time.Duration `json:"last_p95_ns"`
	Rise     float64       `json:"rise"`
	// Slope is the Theil-Sen trend of ln(p95) per minute over the span;
	// LateSlope over its second half, its confidence allowing for serial
	// correlation (N is 0 below 10 blocks).
	Slope     stats.Trend `json:"slope"`
	LateSlope stats.Trend `json:"late_slope"`
	// Trend is "rising", "rose and held", "falling" or "stable".
	Trend string `json:"trend"`
	// ReachesTarget is when, from the load's start, the p95 would reach
	// the P95 target at the second half's rate (a linear fit in ms); 0
	// when it is not rising, already over, or there is no target.
	ReachesTarget time.Duration `json:"reaches_target_ns,omitempty"`
	// Routes are the endpoints whose p95 rose most from the first quarter
	// to the last (at most 5; each with 20 requests or more in both).
	Routes []LatencyRoute `json:"routes,omitempty"`
	// RouteTrends are the endpoints whose own p95, fitted as the
	// aggregate's is (each point minBlockRequests of the endpoint's
	// requests or more, 10 points or more), rose or drifts: a drift is
	// judged as the aggregate's is, so one route drifting behind slower
	// ones is not hidden by them. Drifting first.
	RouteTrends []LatencyRouteTrend `json:"route_trends,omitempty"`
	// Server is each probe source's view of the same quarters: whether
	// the handlers themselves, and their database statements, slowed.
	Server []LatencyServer `json:"server,omitempty"`
}

// LatencyServer is one probe source's mean latencies in the judged
// span's first and last quarters (between the samples inside each).
type LatencyServer struct {
	Source string `json:"source"`
	// FirstMean and LastMean are the handlers' mean latency as the
	// probe's HTTP middleware timed them; 0 when it counted no request.
	FirstMean time.Duration `json:"first_mean_ns"`
	LastMean  time.Duration `json:"last_mean_ns"`
	// QueryFirstMean and QueryLastMean are the database statements' mean
	// over every pgx pool; 0 without a pool or a statement.
	QueryFirstMean time.Duration `json:"query_first_mean_ns,omitempty"`
	QueryLastMean  time.Duration `json:"query_last_mean_ns,omitempty"`
}

// LatencyWindow is one third of the judged span.
type LatencyWindow struct {
	Label    string        `json:"label"` // "2-11 min" from the load's start
	Start    time.Time     `json:"start"`
	End      time.Time     `json:"end"`
	Requests int64         `json:"requests"`
	P50      time.Duration `json:"p50_ns"`
	P95      time.Duration `json:"p95_ns"`
	P99      time.Duration `json:"p99_ns"`
}

// LatencyRoute is one endpoint's p95 in the judged span's first and last
// quarters.
type LatencyRoute struct {
	Method   string        `json:"method"`
	Name     string        `json:"name"`
	FirstP95 time.Duration `json:"first_p95_ns"`
	LastP95  time.Duration `json:"last_p95_ns"`
	Rise     float64       `json:"rise"`
}

// LatencyRouteTrend is one endpoint's own p95 trend over the judged
// span: the medians of its first and last quarters' points, their
// ratio, and its shape ("rising" or "rose and held").
type LatencyRouteTrend struct {
	Method   string        `json:"method"`
	Name     string        `json:"name"`
	Blocks   int           `json:"blocks"`
	Requests int64         `json:"requests"`
	FirstP95 time.Duration `json:"first_p95_ns"`
	LastP95  time.Duration `json:"last_p95_ns"`
	Rise     float64       `json:"rise"`
	// RestRise is the same ratio for the p95 of every other request,
	// RestFirstP95 and RestLastP95 its quarters' medians.
	RestRise     float64       `json:"rest_rise"`
	RestFirstP95 time.Duration `json:"rest_first_p95_ns"`
	RestLastP95  time.Duration `json:"rest_last_p95_ns"`
	Trend        string        `json:"trend"`
	// Confidence is that of its rise (and of its second half's, for a
	// drift): 1 minus the larger one-sided p-value.
	Confidence float64 `json:"confidence"`
}

// judgedSpan is a span of one load level the trend is judged over.
type judgedSpan struct {
	start, end time.Time
	stage      string // the stage's name; "" for the whole steady state
}

// latencyBlock is a run of neighbouring intervals, merged.
type latencyBlock struct {
	start, end time.Time
	requests   int64
	p95        time.Duration
	all        *engine.Stat     // every request's, merged
	win        *engine.Interval // the runs merged, per endpoint
}

// trendFit is the shape of one p95 series over a judged span: the
// medians of its first and last quarters (ms) and their ratio, the
// Theil-Sen trend of ln(p95) per minute over the span and over its
// second half (allowing for serial correlation), what that half's trend
// comes to across it, and the shape those make (a latency* constant).
type trendFit struct {
	first, last, rise float64
	slope, lateSlope  stats.Trend
	lateRise          float64
	trend             string
	xs, ms            []float64 // each block's middle (min from the span's start) and p95 (ms)
	q, h              int       // blocks in a quarter, the second half's first block
}

// fitTrend fits the p95 of blocks, from start. It needs stats.MinPoints
// blocks; the second half is fitted from 10.
func fitTrend(blocks []latencyBlock, start time.Time) trendFit {
	n := len(blocks)
	fit := trendFit{xs: make([]float64, n), ms: make([]float64, n), q: max(n/4, 1), h: n / 2}
	ys := make([]float64, n)
	for i, b := range blocks {
		fit.xs[i] = b.start.Add(b.end.Sub(b.start) / 2).Sub(start).Minutes()
		fit.ms[i] = float64(b.p95) / float64(time.Millisecond)
		ys[i] = math.Log(max(fit.ms[i], 0.001))
	}
	fit.first, fit.last, fit.rise = quarters(fit.ms)
	fit.slope = stats.TheilSen(fit.xs, ys)
	if n-fit.h >= 5 {
		fit.lateSlope = stats.TheilSenSerial(fit.xs[fit.h:], ys[fit.h:])
	}
	fit.lateRise = math.Exp(fit.lateSlope.Slope * (fit.xs[n-1] - fit.xs[fit.h]))
	rose := fit.rise >= latencyRiseRatio && millis(fit.last-fit.first) >= minLatencyRise && fit.slope.Rising()
	switch {
	case rose && fit.rise >= latencyDriftRatio && fit.lateSlope.Rising() && fit.lateRise >= lateRiseRatio:
		fit.trend = latencyRising
	case rose:
		fit.trend = latencyRose
	case fit.slope.Falling() && fit.first >= latencyRiseRatio*fit.last:
		fit.trend = latencyFalling
	default:
		fit.trend = latencyStable
	}
	return fit
}

func (latencyTrend) detect(a *analyzer, _ *capture.SourceTimeline) Finding {
	spans, why := a.latencySpans()
	if len(spans) == 0 {
		return unknown(DetectorLatencyTrend, "", why)
	}
	var best Finding
	for i, sp := range spans {
		f := a.latencyFinding(sp)
		if i == 0 || f.Verdict.rank() > best.Verdict.rank() {
			best = f
		}
	}
	return best
}

// latencySpans returns the spans to judge: the steady state at one load
// level; each stage held for MinStageLeak after settling when the load
// changed (a latency that follows the load is not a drift). None, with
// why, when there is no such span.
func (a *analyzer) latencySpans() ([]judgedSpan, string) {
	if len(a.r.Stages) > 0 {
		var out []judgedSpan
		for _, s := range a.r.Stages {
			if s.Judged >= MinStageLeak {
				out = append(out, judgedSpan{s.Start.Add(s.Settle), s.End, s.Name()})
			}
		}
		if len(out) == 0 {
			return nil, fmt.Sprintf("the load changed in the steady state and no load level held %s after settling: latency across load levels follows the load, it is not a trend", human.Span(MinStageLeak))
		}
		return out, ""
	}
	sp, ok := a.steadySpan()
	switch {
	case !ok:
		return nil, "no steady state: the warm-up (the ramp and --settle) covered the whole load; run longer"
	case a.shortSteady():
		return nil, fmt.Sprintf("the steady state (%s) is shorter than %s: too short for a latency trend (a smoke run, not a soak)",
			human.Span(max(sp.Duration(), 0)), human.Span(MinStageLeak))
	}
	return []judgedSpan{{start: sp.Start, end: sp.End}}, ""
}

// shortSteady reports whether the run's steady state is shorter than
// MinStageLeak: a smoke run, whose latency trend is skipped rather than
// missing.
func (a *analyzer) shortSteady() bool {
	sp, ok := a.steadySpan()
	return ok && sp.Duration() < MinStageLeak
}

// latencyFinding judges the p95's trend over one span.
func (a *analyzer) latencyFinding(sp judgedSpan) Finding {
	d := DetectorLatencyTrend
	ivs := a.intervalsIn(sp.start, sp.end)
	blocks, req := latencyBlocksOf(ivs)
	if len(blocks) < stats.MinPoints {
		return unknown(d, "", fmt.Sprintf("too few requests to trend the latency: %s in %s of steady state (%d blocks of at least %d requests; %d needed)",
			human.Count(req), human.Span(sp.end.Sub(sp.start)), len(blocks), minBlockRequests, stats.MinPoints))
	}
	lf := &LatencyFigures{Start: sp.start, End: sp.end, Blocks: len(blocks), Requests: req}
	lf.Windows = a.latencyWindows(blocks, sp)
	fit := fitTrend(blocks, sp.start)
	q, h := fit.q, fit.h
	lf.FirstP95, lf.LastP95, lf.Rise = millis(fit.first), millis(fit.last), fit.rise
	lf.Slope, lf.LateSlope, lf.Trend = fit.slope, fit.lateSlope, fit.trend
	lateRise := fit.lateRise
	if lf.Trend == latencyRising && a.th.P95 > 0 && lf.LastP95 < a.th.P95 {
		if late := stats.TheilSen(fit.xs[h:], fit.ms[h:]); late.Slope > 0 {
			left := (float64(a.th.P95)/float64(time.Millisecond) - fit.last) / late.Slope
			lf.ReachesTarget = sp.end.Sub(a.res.Start) + time.Duration(left*float64(time.Minute))
		}
	}
	lf.Routes = latencyRoutes(ivs, blocks[q-1].end, blocks[len(blocks)-q].start)
	lf.RouteTrends = routeTrends(blocks, sp.start)
	for _, src := range a.sources() {
		if sv, ok := latencyServer(src, blocks[0].start, blocks[q-1].end, blocks[len(blocks)-q].start, blocks[len(blocks)-1].end); ok {
			lf.Server = append(lf.Server, sv)
		}
	}
	f := Finding{Detector: d, Latency: lf}
	if sp.stage != "" {
		f.Stage = []string{sp.stage}
	}
	a.latencyEvidence(&f, lateRise)
	a.judgeLatency(&f, sp)
	return f
}

// millis is v milliseconds as a duration.
func millis(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

// latencyBlocksOf cuts ivs into at most latencyBlocks runs of whole
// intervals averaging minBlockRequests requests or more, and returns
// those with requests, with the span's request count.
func latencyBlocksOf(ivs []*engine.Interval) ([]latencyBlock, int64) {
	var req int64
	for _, iv := range ivs {
		r, _, _ := ivCounts(iv)
		req += r
	}
	n := min(latencyBlocks, len(ivs), int(req/minBlockRequests))
	var out []latencyBlock
	for i := range n {
		part := ivs[i*len(ivs)/n : (i+1)*len(ivs)/n]
		if w := engine.Window(part...); w != nil {
			if st := w.Total(); st.Requests > 0 {
				out = append(out, latencyBlock{part[0].Start, part[len(part)-1].End, st.Requests, quantile(&st, 95), &st, w})
			}
		}
	}
	return out, req
}

// routeTrends fits each endpoint's own p95 over the span, from the
// blocks' per-endpoint figures: neighbouring blocks merged so that each
// point holds minBlockRequests of the endpoint's requests or more, and
// the endpoint judged when that gives 10 points or more (enough for the
// second half's trend). The aggregate p95 follows the slowest routes: a
// route that drifts from 1 to 9 ms beside one at a steady 6 ms moves it
// by a few ms. It returns the endpoints that rose or drift, drifting
// first, the largest rise first.
func routeTrends(blocks []latencyBlock, start time.Time) []LatencyRouteTrend {
	type key struct{ method, name string }
	total := map[key]int64{}
	for _, b := range blocks {
		for i := range b.win.Stats {
			st := &b.win.Stats[i]
			total[key{st.Method, st.Name}] += st.Requests
		}
	}
	var out []LatencyRouteTrend
	for k, req := range total {
		n := min(len(blocks), int(req/minBlockRequests))
		if n < 10 {
			continue
		}
		rb := make([]latencyBlock, 0, n)
		for j := range n {
			part := blocks[j*len(blocks)/n : (j+1)*len(blocks)/n]
			st := &engine.Stat{}
			for _, b := range part {
				for i := range b.win.Stats {
					if s := &b.win.Stats[i]; s.Method == k.method && s.Name == k.name {
						st.Merge(s)
					}
				}
			}
			if st.Requests > 0 {
				rb = append(rb, latencyBlock{start: part[0].start, end: part[len(part)-1].end, requests: st.Requests, p95: quantile(st, 95)})
			}
		}
		if len(rb) < 10 {
			continue
		}
		fit := fitTrend(rb, start)
		if fit.trend != latencyRising && fit.trend != latencyRose {
			continue
		}
		restFirst, restLast, rest := restRise(blocks, k.method, k.name)
		if rest == 0 {
			continue // no other route: the aggregate is this route
		}
		conf := 1 - fit.slope.PRising
		if fit.trend == latencyRising {
			conf = min(conf, 1-fit.lateSlope.PRising)
		}
		out = append(out, LatencyRouteTrend{Method: k.method, Name: k.name, Blocks: len(rb), Requests: req,
			FirstP95: millis(fit.first), LastP95: millis(fit.last), Rise: fit.rise, RestRise: rest,
			RestFirstP95: millis(restFirst), RestLastP95: millis(restLast), Trend: fit.trend, Confidence: min(conf, maxConfidence)})
	}
	slices.SortFunc(out, func(x, y LatencyRouteTrend) int {
		return cmp.Or(cmp.Compare(trendRank(y.Trend), trendRank(x.Trend)), cmp.Compare(y.Rise, x.Rise), cmp.Compare(x.Name, y.Name), cmp.Compare(x.Method, y.Method))
	})
	return out
}

// restRise is how much the p95 of every request but route's rose over
// blocks: the median of the last quarter's blocks over the first's; 0
// when no other route has requests in every block.
func restRise(blocks []latencyBlock, method, name string) (first, last, rise float64) {
	ms := make([]float64, 0, len(blocks))
	for _, b := range blocks {
		var st engine.Stat
		for i := range b.win.Stats {
			if s := &b.win.Stats[i]; s.Method != method || s.Name != name {
				st.Merge(s)
			}
		}
		if st.Requests == 0 {
			return 0, 0, 0
		}
		ms = append(ms, float64(quantile(&st, 95))/float64(time.Millisecond))
	}
	return quarters(ms)
}

// quarters returns the medians of the first and last quarters of the
// series ms (at least one point each) and the last's ratio to the first.
func quarters(ms []float64) (first, last, rise float64) {
	q := max(len(ms)/4, 1)
	first, last = stats.Median(ms[:q]), stats.Median(ms[len(ms)-q:])
	return first, last, last / max(first, 0.001)
}

// trendRank orders the shapes a route is reported for: a drift first.
func trendRank(trend string) int {
	if trend == latencyRising {
		return 2
	}
	if trend == latencyRose {
		return 1
	}
	return 0
}

// mergedStat merges every request of ivs into one Stat, as the engine
// totals a window (per endpoint, then over them): its latency histogram,
// and its exact smallest and largest latencies, which bound its
// percentiles.
func mergedStat(ivs []*engine.Interval) *engine.Stat {
	w := engine.Window(ivs...)
	if w == nil {
		return &engine.Stat{}
	}
	t := w.Total()
	return &t
}

// quantile is st's percentile p (0 < p <= 100) as a duration.
func quantile(st *engine.Stat, p float64) time.Duration {
	return time.Duration(st.Percentile(p)) * time.Microsecond
}

// latencyWindows cuts the span into thirds of whole blocks (each where
// its middle falls), labelled from the load's start by the blocks'
// bounds: the blocks' histograms merged, not the intervals' again.
func (a *analyzer) latencyWindows(blocks []latencyBlock, sp judgedSpan) []LatencyWindow {
	third := sp.end.Sub(sp.start) / 3
	label := human.Seconds
	unit := " s"
	if sp.end.Sub(a.res.Start) >= 3*time.Minute {
		label, unit = human.Minutes, " min"
	}
	ws := make([]LatencyWindow, 3)
	sts := make([]engine.Stat, 3)
	for _, b := range blocks {
		mid := b.start.Add(b.end.Sub(b.start) / 2)
		i := min(max(int(mid.Sub(sp.start)/max(third, 1)), 0), 2)
		if ws[i].Start.IsZero() {
			ws[i].Start = b.start
		}
		ws[i].End = b.end
		sts[i].Merge(b.all)
	}
	for i := range ws {
		w, st := &ws[i], &sts[i]
		if w.Start.IsZero() { // no block: the third's own bounds
			w.Start, w.End = sp.start.Add(time.Duration(i)*third), sp.start.Add(time.Duration(i+1)*third)
		}
		w.Label = label(w.Start.Sub(a.res.Start)) + "-" + label(w.End.Sub(a.res.Start)) + unit
		w.Requests, w.P50, w.P95, w.P99 = st.Requests, quantile(st, 50), quantile(st, 95), quantile(st, 99)
	}
	return ws
}

// latencyRoutes returns the endpoints whose p95 rose most from the
// intervals ending by early to those starting from late, each with 20
// requests or more in both; at most 5, the largest rise first.
func latencyRoutes(ivs []*engine.Interval, early, late time.Time) []LatencyRoute {
	type key struct{ method, name string }
	type pair struct{ first, last engine.Stat }
	by := map[key]*pair{}
	for _, iv := range ivs {
		inFirst, inLast := !iv.End.After(early), !iv.Start.Before(late)
		if !inFirst && !inLast {
			continue
		}
		for i := range iv.Stats {
			s := &iv.Stats[i]
			k := key{s.Method, s.Name}
			p := by[k]
			if p == nil {
				p = &pair{}
				by[k] = p
			}
			if inFirst {
				p.first.Merge(s)
			} else {
				p.last.Merge(s)
			}
		}
	}
	var out []LatencyRoute
	for k, p := range by {
		if p.first.Requests < 20 || p.last.Requests < 20 {
			continue
		}
		r := LatencyRoute{Method: k.method, Name: k.name, FirstP95: quantile(&p.first, 95), LastP95: quantile(&p.last, 95)}
		r.Rise = float64(r.LastP95) / float64(max(r.FirstP95, time.Microsecond))
		out = append(out, r)
	}
	slices.SortFunc(out, func(x, y LatencyRoute) int {
		return cmp.Or(cmp.Compare(y.Rise, x.Rise), cmp.Compare(x.Name, y.Name), cmp.Compare(x.Method, y.Method))
	})
	return out[:min(len(out), 5)]
}

// latencyServer is src's mean handler and statement latencies over
// [f0, f1] and [l0, l1] (between the first and last samples in each);
// not ok when either quarter has no two samples with requests between
// them.
func latencyServer(src *capture.SourceTimeline, f0, f1, l0, l1 time.Time) (LatencyServer, bool) {
	sv := LatencyServer{Source: src.Name}
	between := func(from, to time.Time) (first, last *capture.Point) {
		for i := range src.Points {
			if p := &src.Points[i]; !p.Time.Before(from) && !p.Time.After(to) {
				first = cmp.Or(first, p)
				last = p
			}
		}
		return first, last
	}
	ef, el := between(f0, f1)
	lf, ll := between(l0, l1)
	if ef == nil || lf == nil {
		return sv, false
	}
	sv.FirstMean, sv.LastMean = serverMean(ef, el), serverMean(lf, ll)
	sv.QueryFirstMean, sv.QueryLastMean = queryMean(ef, el), queryMean(lf, ll)
	return sv, sv.FirstMean > 0 && sv.LastMean > 0
}

// serverMean is the handlers' mean latency between samples first and
// last (the probe's HTTP middleware timing), 0 without a request.
func serverMean(first, last *capture.Point) time.Duration {
	n := float64(last.HTTPRequests) - float64(first.HTTPRequests)
	if n <= 0 {
		return 0
	}
	return time.Duration(float64(last.ServerMicros-first.ServerMicros)/n) * time.Microsecond
}

// queryMean is the database statements' mean latency between samples
// first and last, over every pgx pool; 0 without a statement.
func queryMean(first, last *capture.Point) time.Duration {
	var us, n int64
	for _, pp := range last.Pools {
		us, n = us+pp.QueryMicros, n+pp.Queries
		if fp := first.Pool(pp.Name); fp != nil {
			us, n = us-fp.QueryMicros, n-fp.Queries
		}
	}
	if n <= 0 || us < 0 {
		return 0
	}
	return time.Duration(float64(us)/float64(n)) * time.Microsecond
}

// latencyEvidence writes the figures the verdict rests on.
func (a *analyzer) latencyEvidence(f *Finding, lateRise float64) {
	lf := f.Latency
	for _, w := range lf.Windows {
		f.Evidence = append(f.Evidence, fmt.Sprintf("%s: p50 %s, p95 %s, p99 %s over %s requests.", w.Label,
			human.Millis(w.P50), human.Millis(w.P95), human.Millis(w.P99), human.Count(w.Requests)))
	}
	f.Evidence = append(f.Evidence, fmt.Sprintf("p95 over %d blocks of %s: %s in the first quarter, %s in the last (x%.2f); Theil-Sen trend %s per minute (95%% CI %s to %s).",
		lf.Blocks, human.Span(lf.End.Sub(lf.Start)/time.Duration(lf.Blocks)), human.Millis(lf.FirstP95), human.Millis(lf.LastP95), lf.Rise,
		growth(lf.Slope.Slope), growth(lf.Slope.Lo), growth(lf.Slope.Hi)))
	if lf.LateSlope.N > 0 {
		f.Evidence = append(f.Evidence, fmt.Sprintf("Second half alone: %s per minute (95%% CI %s to %s, allowing for the latency's serial correlation), x%.2f across it.",
			growth(lf.LateSlope.Slope), growth(lf.LateSlope.Lo), growth(lf.LateSlope.Hi), lateRise))
	}
	for _, r := range lf.Routes {
		if r.Rise < 1.2 || lf.Trend == latencyStable || lf.Trend == latencyFalling {
			break
		}
		f.Evidence = append(f.Evidence, fmt.Sprintf("%s %s: p95 %s in the first quarter, %s in the last (x%.2f).", r.Method, r.Name,
			human.Millis(r.FirstP95), human.Millis(r.LastP95), r.Rise))
	}
	for _, rt := range lf.RouteTrends {
		f.Evidence = append(f.Evidence, fmt.Sprintf("%s %s on its own (%d points of %s requests): p95 %s in the first quarter, %s in the last (x%.2f): %s; every other request's p95 x%.2f.",
			rt.Method, rt.Name, rt.Blocks, human.Count(rt.Requests), human.Millis(rt.FirstP95), human.Millis(rt.LastP95), rt.Rise, routeShape(rt.Trend), rt.RestRise))
	}
	for _, sv := range lf.Server {
		if lf.Trend == latencyStable || lf.Trend == latencyFalling {
			break
		}
		line := fmt.Sprintf("Server side (%s): the handlers' mean %s in the first quarter, %s in the last (x%.2f)", sv.Source,
			human.Millis(sv.FirstMean), human.Millis(sv.LastMean), float64(sv.LastMean)/float64(sv.FirstMean))
		if sv.QueryFirstMean > 0 && sv.QueryLastMean > 0 {
			line += fmt.Sprintf("; database statements' mean %s, then %s (x%.2f)", human.Millis(sv.QueryFirstMean), human.Millis(sv.QueryLastMean),
				float64(sv.QueryLastMean)/float64(sv.QueryFirstMean))
		}
		switch {
		case float64(sv.LastMean) < 1.2*float64(sv.FirstMean):
			line += ": the handlers' own time barely rose, so the time went outside them (the machine, the network, queueing before the handler, the load generator)"
		case sv.QueryFirstMean > 0 && float64(sv.QueryLastMean) >= latencyRiseRatio*float64(sv.QueryFirstMean):
			line += ": the database statements slowed with them"
		}
		f.Evidence = append(f.Evidence, line+".")
	}
	if info := &a.res.RunInfo; info.Rate > 0 && lf.Trend != latencyStable && lf.Trend != latencyFalling {
		f.Evidence = append(f.Evidence, fmt.Sprintf("Open model: %.1f arrivals/s were offered; %.1f requests/s completed in the judged span.",
			info.Rate, float64(lf.Requests)/lf.End.Sub(lf.Start).Seconds()))
	}
	for _, o := range a.r.Findings {
		if o.Verdict == VerdictDetected && (o.Detector == DetectorMemoryLeak || o.Detector == DetectorGoroutineLeak || o.Detector == DetectorPoolExhaustion) {
			f.Evidence = append(f.Evidence, fmt.Sprintf("Beside it: %s.", o.String()))
		}
	}
}

// routeShape words a route's trend.
func routeShape(trend string) string {
	if trend == latencyRising {
		return "drifts, still rising at the end"
	}
	return "rose, then held"
}

// growth writes a slope of ln(p95) per minute as a percentage per minute.
func growth(slope float64) string {
	return fmt.Sprintf("%+.1f%%", 100*(math.Exp(slope)-1))
}

// judgeLatency sets the verdict, summary and next step from the shape.
func (a *analyzer) judgeLatency(f *Finding, sp judgedSpan) {
	lf := f.Latency
	from := fmt.Sprintf("%s to %s", human.Millis(lf.FirstP95), human.Millis(lf.LastP95))
	where := "the steady state"
	if sp.stage != "" {
		where = sp.stage
	}
	rising := math.Min(maxConfidence, 1-lf.Slope.PRising)
	switch lf.Trend {
	case latencyRising:
		f.Verdict, f.Severity = VerdictDetected, SeverityMedium
		f.Confidence = math.Min(rising, math.Min(maxConfidence, 1-lf.LateSlope.PRising))
		f.Summary = fmt.Sprintf("the p95 latency drifts up through %s at one load level, %s (x%.1f), and was still rising at its end", where, from, lf.Rise)
		load := a.res.End.Sub(a.res.Start)
		switch {
		case a.th.P95 > 0 && lf.LastP95 >= a.th.P95:
			f.Severity = SeverityHigh
			f.Summary += fmt.Sprintf(", over the %s target", human.Millis(a.th.P95))
		case lf.ReachesTarget > 0:
			if lf.ReachesTarget <= 2*load {
				f.Severity = SeverityHigh
			}
			f.Summary += fmt.Sprintf("; at this rate it reaches the %s target about %s into the load", human.Millis(a.th.P95), human.Span(lf.ReachesTarget))
		}
		f.NextStep = "Requests that get slower at a constant load do more work, or wait longer, the longer the service runs: a table or collection scanned as it grows " +
			"(the routes above; EXPLAIN their queries, read the query latency row), a queue, pool or lock wait getting longer (pool-exhaustion), a leak making the collector work harder (memory-leak). " +
			"Compare a CPU profile from the start of the steady state with one from its end (go tool pprof -diff_base) to see which function's share grew."
	case latencyRose:
		f.Verdict, f.Severity, f.Confidence = VerdictWarning, SeverityMedium, rising
		f.Summary = fmt.Sprintf("the p95 latency rose through %s at one load level, %s (x%.1f), then held: a step or a rise that levelled off, not a drift", where, from, lf.Rise)
		f.NextStep = "Something made requests slower part-way through and it stayed: a cache whose entries began to expire, a dependency that slowed, a table past a size its plan handles well. Read the routes above and the other findings at that time; a longer run tells a level from a slow drift."
	case latencyFalling:
		f.Verdict, f.Severity, f.Confidence = VerdictOK, SeverityNone, math.Min(maxConfidence, 1-lf.Slope.PRising)
		f.Summary = fmt.Sprintf("the p95 latency fell through %s, %s: a warm-up that went on (caches filling, pools widening), not a drift", where, from)
	default:
		f.Verdict, f.Severity = VerdictOK, SeverityNone
		f.Confidence = 0.7
		if mins := lf.End.Sub(lf.Start).Minutes(); math.Exp(lf.Slope.Hi*mins) < latencyRiseRatio {
			f.Confidence = 0.95 // the 95 % interval leaves out a rise by half across the span
		}
		f.Summary = fmt.Sprintf("the p95 latency held through %s: %s from the first quarter to the last", where, from)
		if lf.Rise >= lateRiseRatio {
			f.Summary = fmt.Sprintf("the p95 latency rose less than a trend's bars through %s: %s from the first quarter to the last (x%.2f; a rise counts from x%.1f and %s more)",
				where, from, lf.Rise, latencyRiseRatio, human.Millis(minLatencyRise))
		}
	}
	a.judgeRoutes(f, where)
}

// judgeRoutes raises f to what the worst route's own trend says when
// that is worse than the aggregate's: a route that drifts behind slower
// ones is a drift, one that rose and held a warning.
func (a *analyzer) judgeRoutes(f *Finding, where string) {
	lf := f.Latency
	if len(lf.RouteTrends) == 0 {
		return
	}
	// Only a route that moved apart from the others: when every route
	// follows one shape (or the machine slows them all), each route's
	// own fit is the aggregate's on fewer requests, and judging each
	// again would only add chances for noise to pass the bars.
	// Apart as a ratio and in milliseconds: a delay added to every
	// request alike (waits for a pool that a leak shrank, a slower
	// machine) multiplies a fast route's p95 more than a slow one's, so
	// a ratio alone would single out the fastest route.
	i := slices.IndexFunc(lf.RouteTrends, func(rt LatencyRouteTrend) bool {
		return rt.Rise >= routeApart*rt.RestRise && float64(rt.LastP95-rt.FirstP95) >= routeApart*float64(rt.RestLastP95-rt.RestFirstP95)
	})
	if i < 0 {
		return
	}
	rt := lf.RouteTrends[i]
	from := fmt.Sprintf("%s to %s (x%.1f)", human.Millis(rt.FirstP95), human.Millis(rt.LastP95), rt.Rise)
	overall := fmt.Sprintf("the other routes' p95 moved x%.2f meanwhile (every request's: %s to %s)", rt.RestRise, human.Millis(lf.FirstP95), human.Millis(lf.LastP95))
	switch {
	case rt.Trend == latencyRising && lf.Trend != latencyRising:
		f.Verdict, f.Severity, f.Confidence = VerdictDetected, SeverityMedium, rt.Confidence
		if a.th.P95 > 0 && rt.LastP95 >= a.th.P95 {
			f.Severity = SeverityHigh
		}
		f.Summary = fmt.Sprintf("%s %s drifts up through %s at one load level, its p95 %s, and was still rising at its end; %s", rt.Method, rt.Name, where, from, overall)
		f.NextStep = "Requests of " + rt.Name + " get slower at a constant load: they do more work, or wait longer, the longer the service runs (a table or collection it scans as it grows: EXPLAIN its queries; a lock or queue it waits on). " +
			"Compare a CPU profile from the start of the steady state with one from its end (go tool pprof -diff_base) to see which function's share grew."
	case rt.Trend == latencyRose && (lf.Trend == latencyStable || lf.Trend == latencyFalling):
		f.Verdict, f.Severity, f.Confidence = VerdictWarning, SeverityMedium, rt.Confidence
		f.Summary = fmt.Sprintf("%s %s's p95 rose through %s at one load level, %s, then held: a step or a rise that levelled off, not a drift; %s", rt.Method, rt.Name, where, from, overall)
		f.NextStep = "Something made " + rt.Name + " slower part-way through and it stayed: a cache whose entries began to expire, a dependency that slowed, a table past a size its plan handles well. A longer run tells a level from a slow drift."
	}
}

package analysis

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
	"github.com/soaklab/soak/probe"
)

// Pool-exhaustion decision constants (see docs/report.md).
const (
	// A pool exhausted (acquires waiting at its max) for at least
	// sustainedExhaustedShare of the steady state, or for at least
	// minExhaustedShare (and two poll intervals) with the client's p95
	// above its target in those intervals, is a detected exhaustion;
	// minExhaustedShare without the latency breach is a warning; less is
	// bursts.
	minExhaustedShare       = 0.05
	sustainedExhaustedShare = 0.2
	// poolHeadroom is the utilisation a recommended pool size aims at
	// (the seed's pool target).
	poolHeadroom = 0.8
)

// DetectorPoolExhaustion is the pool-exhaustion detector's name.
const DetectorPoolExhaustion Detector = "pool-exhaustion"

// poolExhaustion is the pool-exhaustion detector.
type poolExhaustion struct{}

func (poolExhaustion) name() Detector { return DetectorPoolExhaustion }

func (poolExhaustion) perSource() bool { return true }

// detect finds, for every pgx pool, the poll intervals of the steady
// state in which acquires waited with the pool at its max, the client
// latency in them, and whether it cleared after the load.
func (poolExhaustion) detect(a *analyzer, s *capture.SourceTimeline) Finding {
	d := DetectorPoolExhaustion
	steady, ok := a.c.Timing.Span(capture.PhaseSteady)
	if !ok {
		return unknown(d, s.Name, "no steady state in this run (the warm-up covered the whole load)")
	}
	pts := s.In(capture.PhaseSteady)
	if len(pts) < 2 {
		return unknown(d, s.Name, fmt.Sprintf("only %d samples in the steady state", len(pts)))
	}
	var names []string
	for _, p := range pts[len(pts)-1].Pools {
		names = append(names, p.Name)
	}
	redisNames, unread := redisPoolsRead(pts)
	if len(names) == 0 && len(redisNames) == 0 && len(unread) > 0 {
		return unknown(d, s.Name, fmt.Sprintf("the probe could not read the pool statistics of Redis client %s (redisprobe.New was given no client, or its PoolStats returned nil): no pool to judge",
			strings.Join(unread, ", ")))
	}
	if len(names) == 0 && len(redisNames) == 0 {
		if no := noneDeclared([]*capture.SourceTimeline{s}, probe.Database, "database"); no != "" {
			return unknown(d, s.Name, no+": no pool to exhaust")
		}
		return unknown(d, s.Name, "the service reports no pgx pool and no Redis client to the probe (probe/pgxprobe, probe/redisprobe not wired)")
	}
	f := Finding{Detector: d, Source: s.Name, Verdict: VerdictOK, Confidence: 0.9}
	minTime := max(2*a.pollInterval(), time.Duration(minExhaustedShare*float64(steady.Duration())))
	sustained := max(minTime, time.Duration(sustainedExhaustedShare*float64(steady.Duration())))
	if len(names) > 0 {
		a.judgePGXPools(&f, s, names, pts, steady, minTime, sustained)
	} else {
		f.Summary = "no command waited for a Redis connection"
		f.Evidence = append(f.Evidence, "No pgx pool: the service reports none to the probe.")
	}
	a.judgeRedisPools(&f, s, redisNames, pts, steady, minTime, sustained)
	for _, name := range unread {
		f.Evidence = append(f.Evidence, fmt.Sprintf("Redis client %s: the probe could not read its pool statistics (redisprobe.New was given no client, or its PoolStats returned nil): not judged.", name))
		f.Summary += fmt.Sprintf("; Redis client %s not judged: its pool statistics could not be read", name)
	}
	return f
}

// redisPoolsRead names the Redis clients of the last steady-state point
// whose pool statistics the probe read at some point of the steady state
// (read), and those it never could (unread).
func redisPoolsRead(pts []capture.Point) (read, unread []string) {
	for _, r := range pts[len(pts)-1].Redis {
		ok := false
		for i := range pts {
			if c := pts[i].RedisClient(r.Name); c != nil && !c.PoolUnread {
				ok = true
				break
			}
		}
		if ok {
			read = append(read, r.Name)
		} else {
			unread = append(unread, r.Name)
		}
	}
	return read, unread
}

// judgePGXPools decides f from the pgx pools names: exhausted (acquires
// waiting at the max) long enough, or while the client suffered.
func (a *analyzer) judgePGXPools(f *Finding, s *capture.SourceTimeline, names []string, pts []capture.Point, steady capture.Span, minTime, sustained time.Duration) {
	var worst *PoolFigures
	for _, name := range names {
		pf, events := a.poolFigures(s, name, pts, steady)
		f.Pools = append(f.Pools, pf)
		f.Events = append(f.Events, events...)
		f.Evidence = append(f.Evidence, poolEvidence(&pf)...)
		if worst == nil || pf.Exhausted > worst.Exhausted || pf.Exhausted == worst.Exhausted && pf.AtMax > worst.AtMax {
			worst = &f.Pools[len(f.Pools)-1]
		}
	}
	signals := a.poolSignals(worst)
	hurt := a.clientHurt(worst.P95Exhausted, worst.FailExhausted, worst.FailOther, worst.RequestsExhausted, worst.CanceledExhausted)
	brief := lightWaits(worst)
	level := gradeExhaustion(worst.Exhausted, minTime, sustained, hurt, brief, worst.CanceledExhausted)
	light := brief && level == exhaustionWarning && worst.Exhausted >= sustained
	waits := fmt.Sprintf("%s acquires waited (%.1f s in total), %s gave up waiting", human.Count(worst.EmptyAcquires), worst.WaitSeconds, human.Count(worst.CanceledAcquires))
	switch {
	case level == exhaustionDetected:
		f.Verdict, f.Severity = VerdictDetected, SeverityHigh
		f.Confidence = min(0.8+0.05*float64(len(signals)), 0.99)
		f.Summary = fmt.Sprintf("pool %s was exhausted (at its max with acquires waiting) %s of the steady state (%s): %s",
			worst.Name, human.Percent(worst.ExhaustedShare), human.Span(worst.Exhausted), waits)
		if len(signals) > 0 {
			f.Summary += "; " + strings.Join(signals, "; ")
		}
		f.Summary += clearWords(worst.ClearChecked, worst.Cleared)
		a.poolSuspects(f, s, worst)
	case light:
		f.Verdict, f.Severity, f.Confidence = VerdictWarning, SeverityMedium, 0.7
		f.Summary = fmt.Sprintf("pool %s was at its max with acquires waiting %s of the steady state (%s), but the waits were brief: %s, %s per acquire on average against %s held (%.2f acquires waiting at a time while at its max), and the client was not hurt there: a pool small for the load, not exhausted",
			worst.Name, human.Percent(worst.ExhaustedShare), human.Span(worst.Exhausted), waits, human.Millis(worst.WaitPerAcquire), human.Millis(worst.HoldTime),
			worst.WaitSeconds/worst.Exhausted.Seconds())
		f.Summary += clearWords(worst.ClearChecked, worst.Cleared)
		f.NextStep = fmt.Sprintf("Size pool %s by Little's law (%.0f connections for this load with 20 %% headroom, against %d) if the waits grow under a heavier soak; at this load they cost little.",
			worst.Name, math.Ceil(worst.NeededConns), worst.Max)
	case level == exhaustionWarning:
		f.Verdict, f.Severity = VerdictWarning, SeverityMedium
		f.Confidence = min(0.6+0.05*float64(len(signals)), 0.8)
		f.Summary = fmt.Sprintf("pool %s was at its max with acquires waiting %s of the steady state (%s; %s), below the bar of %s unless the client suffers there",
			worst.Name, human.Percent(worst.ExhaustedShare), human.Span(worst.Exhausted), waits, human.Percent(sustainedExhaustedShare))
		watch := "Watch the pool under a longer or heavier soak; size it by Little's law if the waits grow."
		if !a.poolSuspects(f, s, worst) {
			f.NextStep = watch
		}
	case level == exhaustionBursts:
		f.Confidence = 0.7
		f.Summary = fmt.Sprintf("pool %s ran dry only briefly (%s at its max with %s waits and none given up, below the bar of %s): bursts, not exhaustion",
			worst.Name, human.Span(worst.Exhausted), human.Count(worst.EmptyAcquires), human.Span(minTime))
	case worst.AtMax > 0:
		f.Summary = fmt.Sprintf("pool %s was at its max %s (all %d connections acquired) but no acquire waited or gave up: busy, not exhausted",
			worst.Name, human.Span(worst.AtMax), worst.Max)
	default:
		f.Summary = fmt.Sprintf("no acquire waited or gave up with a pool at its max (peak %d of %d connections, %s)",
			worst.PeakAcquired, worst.Max, human.Percent(worst.PeakUtilization))
	}
}

// exhaustion grades a pool's exhausted time in the steady state.
type exhaustion int

const (
	exhaustionNone     exhaustion = iota // never exhausted
	exhaustionBursts                     // briefly: ok
	exhaustionWarning                    // for minTime, or with waits giving up, or for sustained with brief waits
	exhaustionDetected                   // for sustained, or for minTime with the client hurt
)

// verdict is the pool-exhaustion verdict at e: bursts are ok.
func (e exhaustion) verdict() Verdict {
	switch e {
	case exhaustionDetected:
		return VerdictDetected
	case exhaustionWarning:
		return VerdictWarning
	}
	return VerdictOK
}

// gradeExhaustion grades a pool (pgx or Redis) exhausted for exhausted of
// the steady state, gaveUp waits giving up while exhausted, the client
// hurt there or not (clientHurt), its waits brief or not (lightWaits; a
// Redis pool's are never called brief), against the bars minTime and
// sustained (see docs/report.md).
func gradeExhaustion(exhausted, minTime, sustained time.Duration, hurt, brief bool, gaveUp int64) exhaustion {
	switch {
	case exhausted >= sustained && !brief || exhausted >= minTime && hurt:
		return exhaustionDetected
	case exhausted >= minTime || exhausted > 0 && gaveUp > 0:
		return exhaustionWarning
	case exhausted > 0:
		return exhaustionBursts
	}
	return exhaustionNone
}

// lightWaits reports a pool whose acquires, though they waited at its
// max through much of the steady state, waited briefly: none gave up,
// the mean wait per acquire under a quarter of the mean hold, and under a
// quarter of an acquire waiting at a time while it was at its max. A
// small pool at moderate load is at its max, and some acquire waits,
// in nearly every poll interval (an unseen service's pool of 2 at 26 %
// mean utilisation: 10 % of acquires waited 4 ms; pgxpool's default is
// 4 connections on 2 cores); an exhausted one queues acquires for as
// long as they hold. Connections
// held far beyond their statements (over 4 times) are a holding fault,
// not light whatever the waits. Without the waits' or the holds' times
// the pool is not called light.
func lightWaits(pf *PoolFigures) bool {
	return pf.CanceledAcquires == 0 && pf.WaitSeconds > 0 && pf.HoldTime > 0 && pf.Exhausted > 0 &&
		pf.WaitPerAcquire < pf.HoldTime/4 && pf.WaitSeconds/pf.Exhausted.Seconds() < 0.25 &&
		!(pf.QueryTime > 0 && pf.HoldTime > 4*pf.QueryTime)
}

// clientHurt reports whether the client suffered in a pool's exhausted
// intervals: p95 over its target, failures over the error-rate target
// and twice the other intervals' (over requests), or waits giving up.
func (a *analyzer) clientHurt(p95 time.Duration, fail, failOther float64, requests, gaveUp int64) bool {
	return a.th.P95 > 0 && p95 > a.th.P95 || gaveUp > 0 || requests > 0 && fail > max(a.th.ErrorRate, 2*failOther)
}

// clearWords says whether an exhausted pool cleared when the load
// stopped, for the finding's summary.
func clearWords(checked, cleared bool) string {
	switch {
	case !checked:
		return "; whether it cleared when the load stopped was not checked: no sample of the pool in the drain (the run ended before it, or the stop left it no time)"
	case cleared:
		return "; it cleared when the load stopped: capacity or holding, not a leak"
	}
	return "; it did not clear when the load stopped: see the connection-leak finding"
}

// addEvent appends e to events, extending the last event instead when e
// starts where it ends.
func addEvent(events []Event, e Event) []Event {
	if n := len(events); n > 0 && events[n-1].End.Equal(e.Start) {
		events[n-1].End = e.End
		return events
	}
	return append(events, e)
}

// poolSignals lists what corroborates an exhaustion of pf: the client
// slower or failing more in the exhausted intervals than in the others,
// acquires that gave up, and the waits tracking the client's p95. Each
// adds 0.05 to the verdict's confidence (see docs/report.md).
func (a *analyzer) poolSignals(pf *PoolFigures) []string {
	var out []string
	if pf.Exhausted == 0 {
		return nil
	}
	if pf.P95Exhausted > 0 && (a.th.P95 > 0 && pf.P95Exhausted > a.th.P95 || pf.P95Other > 0 && pf.P95Exhausted > 2*pf.P95Other) {
		other := "no other interval"
		if pf.P95Other > 0 {
			other = human.Millis(pf.P95Other) + " otherwise"
		}
		out = append(out, fmt.Sprintf("client p95 %s while exhausted, %s", human.Millis(pf.P95Exhausted), other))
	}
	if pf.RequestsExhausted > 0 && pf.FailExhausted > max(a.th.ErrorRate, 2*pf.FailOther) {
		out = append(out, fmt.Sprintf("%s of requests failed while exhausted, %s otherwise", human.Percent(pf.FailExhausted), human.Percent(pf.FailOther)))
	}
	if pf.CanceledExhausted > 0 {
		out = append(out, "acquires gave up waiting at the max: requests timed out for want of a connection")
	}
	if pf.CorrelationN >= 5 && pf.Correlation >= 0.5 {
		out = append(out, fmt.Sprintf("waits per second track the client's p95 (Spearman %.2f over %d intervals)", pf.Correlation, pf.CorrelationN))
	}
	return out
}

// assumedPollInterval is the poll interval of a capture that does not
// record its own: runner.DefaultPollInterval, the default since the first
// capture format.
const assumedPollInterval = 2 * time.Second

// pollInterval is the configured poll interval, or 2 s when unknown.
func (a *analyzer) pollInterval() time.Duration {
	if a.c.Config != nil && a.c.Config.PollInterval > 0 {
		return a.c.Config.PollInterval
	}
	return assumedPollInterval
}

func poolEvidence(pf *PoolFigures) []string {
	hold := "Little's law"
	if pf.HoldMeasured {
		hold = "Little's law (hold and statement times timed by the tracer)"
	}
	return []string{
		fmt.Sprintf("Pool %s: max %d connections, peak %d acquired (%s; the max when an acquire waited at it between samples)%s, at its max %s (%s of the steady state), mean utilisation %s, at most %s waiting at a sample.",
			pf.Name, pf.Max, pf.PeakAcquired, human.Percent(pf.PeakUtilization), heldAtOnce(pf.PeakHeld, pf.HeldCounted), human.Span(pf.AtMax), human.Percent(pf.AtMaxShare), human.Percent(pf.MeanUtilization), human.Plural(int64(pf.PeakWaiting), "acquire")),
		fmt.Sprintf("Exhausted (acquires waiting or giving up with the pool at its max) for %s (%s of the steady state): %s waits that got a connection (%.2f s waited in total), %s that gave up (%s of them while exhausted).",
			human.Span(pf.Exhausted), human.Percent(pf.ExhaustedShare), human.Count(pf.EmptyAcquires), pf.WaitSeconds, human.Count(pf.CanceledAcquires), human.Count(pf.CanceledExhausted)),
		fmt.Sprintf("Client in the exhausted intervals: p95 %s, p99 %s, %s failed; in the others: %s. Spearman correlation of waits per second with p95 over %d intervals: %.2f.",
			msOr(pf.P95Exhausted, "none"), msOr(pf.P99Exhausted, "none"), human.Percent(pf.FailExhausted), otherLatency(pf), pf.CorrelationN, pf.Correlation),
		fmt.Sprintf("%s: %.1f acquires/s x %s held per acquire = %.1f connections busy, and x %s waited per acquire = %.1f acquires queued; the statements take %s of each hold.",
			hold, pf.AcquireRate, human.Millis(pf.HoldTime), pf.AcquireRate*pf.HoldTime.Seconds(), human.Millis(pf.WaitPerAcquire),
			pf.AcquireRate*pf.WaitPerAcquire.Seconds(), human.Millis(pf.QueryTime)),
	}
}

// heldAtOnce words the tracer's peak of connections held at once, or
// nothing when the probe did not count it.
func heldAtOnce(peak int32, counted bool) string {
	if !counted {
		return ""
	}
	return fmt.Sprintf(", %d held at once at the busiest instant (the tracer counts at every acquire)", peak)
}

// msOr is human.Millis(d), or none when d is 0 (no interval to measure).
func msOr(d time.Duration, none string) string {
	if d == 0 {
		return none
	}
	return human.Millis(d)
}

func otherLatency(pf *PoolFigures) string {
	if pf.P95Other == 0 {
		return "no other interval"
	}
	return "p95 " + human.Millis(pf.P95Other) + ", p99 " + human.Millis(pf.P99Other) + ", " + human.Percent(pf.FailOther) + " failed"
}

// PoolFigures are the pool-exhaustion detector's measurements for one
// pgx pool of one source, over the steady state.
type PoolFigures struct {
	Name string `json:"name"`
	Max  int32  `json:"max"`
	// PeakAcquired is the most connections acquired at a sample, or Max
	// when an acquire waited with the pool at its max between samples.
	PeakAcquired    int32   `json:"peak_acquired"`
	PeakUtilization float64 `json:"peak_utilization"`
	// PeakHeld is the most connections held at once, by the tracer's
	// count at every acquire (samples see one instant in each poll
	// interval; this sees all of them), when HeldCounted.
	PeakHeld        int32   `json:"peak_held,omitempty"`
	HeldCounted     bool    `json:"held_counted,omitempty"`
	MeanUtilization float64 `json:"mean_utilization"`
	// AtMax is the time the pool spent at its max: poll intervals with
	// every connection acquired at both ends, or exhausted; AtMaxShare
	// its share of the steady state.
	AtMax      time.Duration `json:"at_max_ns"`
	AtMaxShare float64       `json:"at_max_share"`
	// PeakWaiting is the most acquires waiting at a sample (the tracer's
	// gauge).
	PeakWaiting int `json:"peak_waiting"`
	// EmptyAcquires and WaitSeconds count acquires that found no idle
	// connection and got one, and their total wait (pgxpool's
	// EmptyAcquireCount and EmptyAcquireWaitTime).
	EmptyAcquires int64   `json:"empty_acquires"`
	WaitSeconds   float64 `json:"wait_seconds"`
	// CanceledAcquires counts acquires that gave up waiting (pgxpool's
	// CanceledAcquireCount), CanceledExhausted those in exhausted
	// intervals.
	CanceledAcquires  int64 `json:"canceled_acquires"`
	CanceledExhausted int64 `json:"canceled_exhausted"`
	// Exhausted is the time the pool spent exhausted (poll intervals in
	// which acquires waited, gave up, or were waiting at a sample, with
	// the pool at its max), and ExhaustedShare its share of the steady
	// state.
	Exhausted      time.Duration `json:"exhausted_ns"`
	ExhaustedShare float64       `json:"exhausted_share"`
	// Client latency and failure rate (failures / requests) in the
	// exhausted intervals and in the others, with their requests.
	FailExhausted     float64       `json:"fail_exhausted"`
	FailOther         float64       `json:"fail_other"`
	RequestsExhausted int64         `json:"requests_exhausted"`
	RequestsOther     int64         `json:"requests_other"`
	P95Exhausted      time.Duration `json:"p95_exhausted_ns"`
	P95Other          time.Duration `json:"p95_other_ns"`
	P99Exhausted      time.Duration `json:"p99_exhausted_ns"`
	P99Other          time.Duration `json:"p99_other_ns"`
	// Correlation is Spearman's rank correlation, over the steady state's
	// poll intervals, between the pool's wait time per second and the
	// client's p95; CorrelationN is the number of intervals.
	Correlation  float64 `json:"correlation"`
	CorrelationN int     `json:"correlation_n"`
	// Cleared is set when the exhaustion stopped once load stopped
	// (poolwait.Cleared: nothing waiting at the drain's end, no wait or
	// give-up between its last two samples, acquired back to its
	// baseline). ClearChecked is false when the drain had no sample of
	// the pool, so Cleared says nothing.
	Cleared      bool `json:"cleared"`
	ClearChecked bool `json:"clear_checked"`
	// Little's law: AcquireRate (acquires/s) x HoldTime (mean time a
	// connection is held per acquire) = connections in use, and x
	// WaitPerAcquire (mean wait for one) = acquires queued; QueryTime is
	// the database time per acquire (statement latency); WaitPerAcquire
	// is pgxpool's AcquireDuration per acquire when the capture has it
	// (the empty acquires' wait per acquire otherwise); HoldMeasured is
	// set when HoldTime and QueryTime come from the tracer's hold profile
	// (every hold timed) rather than from the sampled utilisation;
	// NeededConns is
	// AcquireRate x (HoldTime + WaitPerAcquire) / 0.8: the connections the
	// demand seen would keep busy at 80 % utilisation (a lower bound: a
	// closed-loop load speeds up once it stops waiting).
	AcquireRate    float64       `json:"acquire_rate"`
	HoldTime       time.Duration `json:"hold_time_ns"`
	WaitPerAcquire time.Duration `json:"wait_per_acquire_ns"`
	QueryTime      time.Duration `json:"query_time_ns"`
	HoldMeasured   bool          `json:"hold_measured,omitempty"`
	NeededConns    float64       `json:"needed_conns"`
}

package analysis

import (
	"cmp"
	"fmt"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
)

// RedisPoolFigures are the pool-exhaustion detector's measurements for
// one go-redis client's connection pool of one source, over the steady
// state. go-redis makes a command wait only when every connection of the
// pool (PoolSize) is in use, so a wait is the pool exhausted.
type RedisPoolFigures struct {
	Name string `json:"name"`
	// PoolSize is the most connections the pool opens (0: the probe did
	// not say), PeakInUse the most not idle at a steady-state sample.
	PoolSize  int `json:"pool_size,omitempty"`
	PeakInUse int `json:"peak_in_use"`
	// Waits counts the steady state's commands that waited for a
	// connection, Timeouts the waits that gave up (go-redis's
	// PoolTimeout, the command failing with "connection pool timeout"),
	// WaitSeconds the time the successful waits took.
	Waits       int64   `json:"waits"`
	Timeouts    int64   `json:"timeouts"`
	WaitSeconds float64 `json:"wait_seconds"`
	// Exhausted sums the poll intervals in which a command's wait ended
	// or gave up, or that a wait spanned (commands waiting at both of its
	// samples); ExhaustedShare is its share of the steady state.
	Exhausted      time.Duration `json:"exhausted_ns"`
	ExhaustedShare float64       `json:"exhausted_share"`
	// The client's p95 and failure rate in those intervals and in the
	// others (0 when there is none), and the requests in those.
	P95Exhausted      time.Duration `json:"p95_exhausted_ns"`
	P95Other          time.Duration `json:"p95_other_ns"`
	FailExhausted     float64       `json:"fail_exhausted"`
	FailOther         float64       `json:"fail_other"`
	RequestsExhausted int64         `json:"requests_exhausted"`
	// Cleared is set when no command waited after the drain's first
	// sample and no connection was left held outside the pool;
	// ClearChecked when the drain had the samples to say.
	Cleared      bool `json:"cleared"`
	ClearChecked bool `json:"clear_checked"`
	// HeldOutsideAfter counts the connections held outside the pool at
	// the drain's end beyond the baseline's (a Conn() or PubSub never
	// closed): such a pool has not cleared, whatever the waits say.
	HeldOutsideAfter int `json:"held_outside_after,omitempty"`
	// Holders are the commands that kept the pool's connections busiest
	// (redisHolders), busiest first; HoldersCredible is set when their
	// estimates fit in the pool (holdersCredible).
	Holders         []RedisCommandHold `json:"holders,omitempty"`
	HoldersCredible bool               `json:"holders_credible,omitempty"`
	// PeakBlocked is the most clients the server counted blocked in a
	// blocking command at a steady-state sample (INFO blocked_clients,
	// every client of that server).
	PeakBlocked int64 `json:"peak_blocked,omitempty"`
}

// redisPoolFigures measures the pool of Redis client name over the
// steady-state points pts.
func (a *analyzer) redisPoolFigures(s *capture.SourceTimeline, name string, pts []capture.Point, steady capture.Span) (RedisPoolFigures, []Event) {
	rf := RedisPoolFigures{Name: name}
	var inside, outside []*engine.Interval
	var events []Event
	for i := range pts {
		if rp := pts[i].RedisClient(name); rp != nil && !rp.PoolUnread {
			rf.PeakInUse, rf.PoolSize = max(rf.PeakInUse, rp.PoolInUse), max(rf.PoolSize, rp.PoolSize)
			rf.PeakBlocked = max(rf.PeakBlocked, rp.BlockedClients)
		}
	}
	for i := 1; i < len(pts); i++ {
		prev, cur := pts[i-1].RedisClient(name), pts[i].RedisClient(name)
		if prev == nil || cur == nil || prev.PoolUnread || cur.PoolUnread {
			continue
		}
		waits, timeouts := cur.PoolWaits-prev.PoolWaits, cur.PoolTimeouts-prev.PoolTimeouts
		if waits < 0 || timeouts < 0 { // the counters restarted (a new client or process)
			continue
		}
		rf.Waits, rf.Timeouts = rf.Waits+waits, rf.Timeouts+timeouts
		rf.WaitSeconds += max(cur.PoolWaitSeconds-prev.PoolWaitSeconds, 0)
		start, end := pts[i-1].Time, pts[i].Time
		win := a.intervalsIn(start, end)
		// A wait counts when it ends: one still going at both ends of
		// the interval (commands pending at both samples) spans it.
		if waits+timeouts == 0 && (prev.PoolPending == 0 || cur.PoolPending == 0) {
			outside = append(outside, win...)
			continue
		}
		rf.Exhausted += end.Sub(start)
		inside = append(inside, win...)
		events = addEvent(events, Event{Kind: "pool-exhausted", Source: s.Name, Start: start, End: end,
			Detail: "Redis client " + name + ": every pool connection in use, commands waiting"})
	}
	if d := steady.Duration().Seconds(); d > 0 {
		rf.ExhaustedShare = rf.Exhausted.Seconds() / d
	}
	rf.P95Exhausted, _ = windowQuantiles(inside)
	rf.P95Other, _ = windowQuantiles(outside)
	rf.FailExhausted, rf.RequestsExhausted = failRate(inside)
	rf.FailOther, _ = failRate(outside)
	rf.Holders = redisHolders(s, name)
	rf.HoldersCredible = holdersCredible(rf.Holders, rf.size())
	if drain := s.In(capture.PhaseDrain); len(drain) >= 2 {
		first, last := drain[0].RedisClient(name), drain[len(drain)-1].RedisClient(name)
		if first != nil && last != nil {
			rf.ClearChecked = true
			rf.Cleared = last.PoolWaits == first.PoolWaits && last.PoolTimeouts == first.PoolTimeouts
			// With no load no command waits, so a pool whose
			// connections are still held outside it (a Conn() never
			// closed) has not cleared: it stays as small as the leak
			// left it.
			var before int
			if base := s.In(capture.PhaseBaseline); len(base) > 0 {
				if b := base[len(base)-1].RedisClient(name); b != nil {
					before = b.HeldOutsidePool
				}
			}
			if !last.PoolUnread {
				rf.HeldOutsideAfter = max(last.HeldOutsidePool-before, 0)
			}
			rf.Cleared = rf.Cleared && rf.HeldOutsideAfter == 0
		}
	}
	return rf, events
}

// judgeRedisPools measures the pools of the Redis clients names and,
// when one was exhausted worse than f says (f holds the pgx pools'
// verdict, or none), makes f about it, graded as the pgx pools are
// (gradeExhaustion, the timeouts as the waits that gave up).
func (a *analyzer) judgeRedisPools(f *Finding, s *capture.SourceTimeline, names []string, pts []capture.Point, steady capture.Span, minTime, sustained time.Duration) {
	for _, name := range names {
		rf, events := a.redisPoolFigures(s, name, pts, steady)
		f.RedisPools = append(f.RedisPools, rf)
		f.Events = append(f.Events, events...)
		f.Evidence = append(f.Evidence, fmt.Sprintf("Redis client %s: %s; %s commands waited for a pool connection (%.2f s in total), %s gave up (pool timeout); the pool was exhausted %s (%s of the steady state). Client in those intervals: p95 %s, %s failed; in the others: p95 %s, %s failed.",
			name, redisInUse(rf), human.Count(rf.Waits), rf.WaitSeconds, human.Count(rf.Timeouts), human.Span(rf.Exhausted), human.Percent(rf.ExhaustedShare),
			msOr(rf.P95Exhausted, "none"), human.Percent(rf.FailExhausted), msOr(rf.P95Other, "none"), human.Percent(rf.FailOther)))
		if len(rf.Holders) > 0 {
			how := "Little's law on each command's fastest call, which waited least for a connection"
			if !rf.HoldersCredible {
				how = "even the fastest calls waited: their latencies are waits more than holds, and Little's law on them would count more connections than the pool has"
			}
			f.Evidence = append(f.Evidence, fmt.Sprintf("Redis client %s's commands over the steady state (%s): %s.", name, how, holdersText(rf.Holders, rf.HoldersCredible)))
		}
		hurt := a.clientHurt(rf.P95Exhausted, rf.FailExhausted, rf.FailOther, rf.RequestsExhausted, rf.Timeouts)
		v := gradeExhaustion(rf.Exhausted, minTime, sustained, hurt, false, rf.Timeouts).verdict()
		if v.rank() <= f.Verdict.rank() {
			switch {
			case f.Verdict != VerdictOK || v != VerdictOK:
			case rf.Exhausted > 0:
				f.Summary += fmt.Sprintf("; Redis client %s's pool ran dry only briefly (%s, %s waits): bursts, not exhaustion",
					name, human.Span(rf.Exhausted), human.Count(rf.Waits))
			case len(f.Pools) > 0: // the summary so far is the pgx pools'
				f.Summary += fmt.Sprintf("; no command waited for a connection of Redis client %s", name)
			}
			continue
		}
		what := fmt.Sprintf("Redis client %s's pool was exhausted (every connection in use, commands waiting) %s of the steady state (%s): %s commands waited (%.1f s in total), %s gave up (pool timeout)",
			name, human.Percent(rf.ExhaustedShare), human.Span(rf.Exhausted), human.Count(rf.Waits), rf.WaitSeconds, human.Count(rf.Timeouts))
		f.Verdict, f.Suspects = v, nil
		if v == VerdictDetected {
			f.Severity, f.Confidence = SeverityHigh, 0.9
			what += clearWords(rf.ClearChecked, rf.Cleared)
		} else {
			f.Severity, f.Confidence = SeverityMedium, 0.7
			what += fmt.Sprintf(", below the bar of %s unless the client suffers there", human.Percent(sustainedExhaustedShare))
		}
		f.Summary = what
		f.NextStep = fmt.Sprintf("Raise Redis client %s's PoolSize%s to what the load needs, or find what holds its connections long: blocking commands (BLPOP, WAIT), large pipelines, a Conn() or PubSub kept across other work; the commands' latencies are in the probe's /snapshot (redis[].commands) and the capture's probe.jsonl.", name, sizeNow(rf.PoolSize))
		if b, ok := blockingHolder(rf.Holders); ok {
			f.Summary += fmt.Sprintf("; %s, a blocking command, ran %s times", b.Command, human.Count(b.Calls))
			if rf.PeakBlocked > 0 {
				f.Summary += fmt.Sprintf(", and the server counted up to %d clients blocked at a sample", rf.PeakBlocked)
			}
			f.NextStep = holdersNextStep(name, b, rf.PoolSize)
		} else if top, ok := mainHolder(rf); ok {
			f.Summary += fmt.Sprintf("; %s kept %s of its connections busy on average", top.Command, busyOf(top.Busy, rf.PoolSize))
			f.NextStep = holdersNextStep(name, top, rf.PoolSize)
		}
		if rf.HeldOutsideAfter > 0 {
			f.NextStep = fmt.Sprintf("Close the %d connections of Redis client %s taken with Conn() or PubSub and never closed (the connection-leak finding): they are what the pool ran out of, and a larger PoolSize%s would only run out later.", rf.HeldOutsideAfter, name, sizeNow(rf.PoolSize))
		}
	}
}

// size is the pool's size, or the most of its connections in use at a
// sample when the probe did not report its size.
func (rf *RedisPoolFigures) size() int { return cmp.Or(rf.PoolSize, rf.PeakInUse) }

// mainHolder returns the command that kept at least half of rf's pool
// busy (half its size, or of the most in use when the size is unknown),
// when the estimates are credible.
func mainHolder(rf RedisPoolFigures) (RedisCommandHold, bool) {
	size := rf.size()
	if !rf.HoldersCredible || len(rf.Holders) == 0 || size <= 0 || rf.Holders[0].Busy < 0.5*float64(size) {
		return RedisCommandHold{}, false
	}
	return rf.Holders[0], true
}

// busyOf words busy connections of a pool of size: "2.5", or "all 4"
// when the estimate reaches the size.
func busyOf(busy float64, size int) string {
	if size > 0 && busy >= float64(size) {
		return fmt.Sprintf("all %d", size)
	}
	return fmt.Sprintf("about %.1f", busy)
}

// redisInUse words the most connections of a Redis pool in use at a
// sample, of its size when known.
func redisInUse(rf RedisPoolFigures) string {
	if rf.PoolSize > 0 {
		return fmt.Sprintf("at most %d of its %d pool connections in use at a sample", rf.PeakInUse, rf.PoolSize)
	}
	return fmt.Sprintf("at most %d pool connections in use at a sample (the pool's size not reported)", rf.PeakInUse)
}

// sizeNow is " (now n)", or nothing when n is not known.
func sizeNow(n int) string {
	if n <= 0 {
		return ""
	}
	return fmt.Sprintf(" (now %d)", n)
}

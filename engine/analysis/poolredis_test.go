package analysis

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/synth"
	"github.com/soaklab/soak/probe"
)

// redisPoolSeries is a service with one Redis client and no pgx pool
// whose commands wait for a pool connection at 20 per second during
// [from, to) seconds of the load, with timeouts (go-redis's PoolTimeout)
// at timeoutsPerSec of them.
func redisPoolSeries(from, to, timeoutsPerSec float64) synth.SampleFunc {
	return func(t float64, ph capture.Phase) *probe.Snapshot {
		s := synth.Snap(5e6, uint64(10+max(t, 0)), 50, synth.RequestsAt(t))
		exhausted := min(max(t-from, 0), to-from) // seconds exhausted so far
		idle := uint32(7)
		if t >= from && t < to {
			idle = 0
		}
		s.Redis = []probe.RedisSnapshot{{Name: "cache", Pool: probe.RedisPoolSnapshot{TotalConns: 10, IdleConns: idle, PoolSize: 10,
			WaitCount: uint32(exhausted * 20), Timeouts: uint32(exhausted * timeoutsPerSec), WaitSeconds: exhausted * 2}}}
		return s
	}
}

func TestPoolDetectorRedis(t *testing.T) {
	cases := []struct {
		name          string
		from, to, tmo float64
		slow          bool
		want          Verdict
		summary       string
	}{
		{"exhausted while slow", 100, 250, 0, true, VerdictDetected, "Redis client cache's pool was exhausted"},
		{"exhausted, commands timing out", 100, 140, 2, false, VerdictDetected, "gave up (pool timeout)"},
		{"brief burst", 100, 104, 0, false, VerdictOK, "ran dry only briefly"},
		{"never waited", 1e9, 1e9, 0, false, VerdictOK, "no command waited for a Redis connection"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := synth.New()
			s.AddSamples(redisPoolSeries(c.from, c.to, c.tmo))
			if c.slow {
				s.AddIntervals(synth.SlowWhile(c.from, c.to))
			} else {
				s.AddIntervals(synth.SteadyLoad)
			}
			f := analyze(s).Find(DetectorPoolExhaustion, "svc")
			if f.Verdict != c.want || !strings.Contains(f.Summary, c.summary) {
				t.Fatalf("verdict %s, want %s with %q\n%s", f.Verdict, c.want, c.summary, describeFinding(f))
			}
			if len(f.RedisPools) != 1 {
				t.Fatalf("redis pools %+v", f.RedisPools)
			}
			rp := f.RedisPools[0]
			if peak := map[bool]int{true: 3, false: 10}[c.from > 1e8]; rp.PeakInUse != peak || rp.PoolSize != 10 ||
				!strings.Contains(strings.Join(f.Evidence, " "), fmt.Sprintf("at most %d of its 10 pool connections in use at a sample", peak)) {
				t.Errorf("in use %d of %d, want %d of 10; evidence %q", rp.PeakInUse, rp.PoolSize, peak, f.Evidence)
			}
			if c.want == VerdictDetected && (rp.Waits == 0 || !rp.ClearChecked || !rp.Cleared || rp.Exhausted == 0) {
				t.Errorf("figures %+v", rp)
			}
			if c.slow && (rp.P95Exhausted < 700e6 || rp.P95Other > 10e6) {
				t.Errorf("client p95 %v exhausted, %v otherwise", rp.P95Exhausted, rp.P95Other)
			}
		})
	}
}

// A service with a pgx pool and a Redis client, neither exhausted: the
// summary says both were looked at.
func TestPoolDetectorPGXAndRedis(t *testing.T) {
	s := synth.New()
	pgx, rds := synth.PoolSeries(1e9, 1e9), redisPoolSeries(1e9, 1e9, 0)
	s.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
		snap := pgx(t, ph)
		snap.Redis = rds(t, ph).Redis
		return snap
	})
	s.AddIntervals(synth.SteadyLoad)
	f := analyze(s).Find(DetectorPoolExhaustion, "svc")
	if f.Verdict != VerdictOK || len(f.Pools) != 1 || len(f.RedisPools) != 1 ||
		!strings.Contains(f.Summary, "no acquire waited") || !strings.Contains(f.Summary, "no command waited for a connection of Redis client cache") {
		t.Fatalf("%s", describeFinding(f))
	}
}

// A Redis client whose pool statistics the probe could not read (no
// client given to redisprobe.New) reports zeros that are not
// measurements: alone it leaves the check unable to run, not ok; beside
// a pgx pool it is named as not judged. A client unread at some samples
// only is judged on the intervals between read samples, so a read after
// an unread sample is not taken for a burst of waits.
func TestPoolDetectorRedisUnread(t *testing.T) {
	unread := func(fn synth.SampleFunc, every func(t float64) bool) synth.SampleFunc {
		return func(t float64, ph capture.Phase) *probe.Snapshot {
			s := fn(t, ph)
			for i := range s.Redis {
				if every(t) {
					s.Redis[i].Pool, s.Redis[i].PoolUnread, s.Redis[i].Error = probe.RedisPoolSnapshot{}, true, "no client"
				}
			}
			return s
		}
	}
	always := func(float64) bool { return true }

	s := synth.New()
	s.AddSamples(unread(redisPoolSeries(100, 250, 0), always))
	s.AddIntervals(synth.SteadyLoad)
	res := analyze(s)
	f := res.Find(DetectorPoolExhaustion, "svc")
	if f.Verdict != VerdictUnknown || !strings.Contains(f.Unmeasured, "could not read the pool statistics of Redis client cache") {
		t.Fatalf("unread client alone: %s", describeFinding(f))
	}
	for _, c := range res.Checks {
		if c.Name == string(DetectorPoolExhaustion) && c.Status != CheckNotRun {
			t.Errorf("check %s, want could not run", c.String())
		}
	}

	s = synth.New()
	pgx, rds := synth.PoolSeries(1e9, 1e9), unread(redisPoolSeries(1e9, 1e9, 0), always)
	s.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
		snap := pgx(t, ph)
		snap.Redis = rds(t, ph).Redis
		return snap
	})
	s.AddIntervals(synth.SteadyLoad)
	f = analyze(s).Find(DetectorPoolExhaustion, "svc")
	if f.Verdict != VerdictOK || len(f.RedisPools) != 0 || !strings.Contains(f.Summary, "Redis client cache not judged") {
		t.Fatalf("beside a pgx pool: %s", describeFinding(f))
	}

	// Waits at 20/s all along, the statistics unread at every third
	// sample: only the intervals between two read samples count (a third
	// of the steady state), and none reads the jump from an unread zero.
	s = synth.New()
	s.AddSamples(unread(redisPoolSeries(-100, 1e9, 0), func(t float64) bool { return int(t)%6 == 0 }))
	s.AddIntervals(synth.SteadyLoad)
	f = analyze(s).Find(DetectorPoolExhaustion, "svc")
	if len(f.RedisPools) != 1 {
		t.Fatalf("partly unread: %s", describeFinding(f))
	}
	third := 20 * s.Steady.Seconds() / 3
	if w := float64(f.RedisPools[0].Waits); w > 1.2*third || w < 0.8*third {
		t.Errorf("partly unread: %.0f waits counted, want those of the read intervals (about %.0f)", w, third)
	}
}

// TestPoolDetectorRedisLeakedConns: a Redis pool exhausted because its
// connections were taken with Conn() and never closed: no command waits
// once the load stops, but the connections stay held outside the pool,
// so the exhaustion did not clear.
func TestPoolDetectorRedisLeakedConns(t *testing.T) {
	s := synth.New()
	exhausted := redisPoolSeries(100, 1e9, 2)
	s.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
		sn := exhausted(t, ph)
		if ph == capture.PhaseDrain {
			// The load stopped: no more waits, the leak's 10 still held.
			sn = exhausted(s.Capture.Timing[2].End.Sub(s.Start).Seconds(), ph)
		}
		if t >= 100 {
			sn.Redis[0].HeldOutsidePool = 10
		}
		return sn
	})
	s.AddIntervals(synth.SlowWhile(100, 1e9))
	f, rp := redisExhausted(t, s)
	if rp.Cleared || !rp.ClearChecked || rp.HeldOutsideAfter != 10 || !strings.Contains(f.Summary, "did not clear when the load stopped") || !strings.HasPrefix(f.NextStep, "Close the 10 connections") {
		t.Errorf("cleared %v (checked %v), held outside %d; summary %q; next step %q", rp.Cleared, rp.ClearChecked, rp.HeldOutsideAfter, f.Summary, f.NextStep)
	}
}

// redisExhausted analyzes s, whose one Redis client's pool must be found
// exhausted, and returns the finding and that pool's figures.
func redisExhausted(t *testing.T, s *synth.Run) (*Finding, RedisPoolFigures) {
	t.Helper()
	f := analyze(s).Find(DetectorPoolExhaustion, "svc")
	if f.Verdict != VerdictDetected || len(f.RedisPools) != 1 {
		t.Fatalf("%s", describeFinding(f))
	}
	return f, f.RedisPools[0]
}

// commandLoad is a Redis command's calls a second and the latency of its
// calls that found a connection free.
type commandLoad struct {
	perSec float64
	floor  time.Duration
}

// commandsAt are a Redis client's cumulative command latencies t seconds
// into the load: each command runs perSec calls a second, a tenth of them
// taking floor (they found a connection free) and the rest floor plus 2 s
// waiting for one.
func commandsAt(t float64, cmds map[string]commandLoad) []probe.CommandSnapshot {
	var out []probe.CommandSnapshot
	for name, c := range cmds {
		var l probe.Latency
		n := int(c.perSec * max(t, 0))
		for i := range n {
			if i%10 == 0 {
				l.Record(c.floor)
			} else {
				l.Record(c.floor + 2*time.Second)
			}
		}
		out = append(out, probe.CommandSnapshot{Name: name, Calls: uint64(n), Latency: l.Snapshot()})
	}
	return out
}

// TestPoolDetectorRedisHolders: in an exhausted Redis pool every
// command's median is mostly waiting; the command whose fastest call
// still takes long is what holds the connections, and the finding names
// it, with Little's law on its fastest call when the estimates fit in the
// pool. A blocking command (BLPOP, whose timeout go-redis rounds up to a
// second) is named whenever it ran, with the server's blocked clients.
// When even the fastest calls waited (the estimates add up to more than
// the pool), nothing is named by them. A fast command waiting beside is
// never named.
func TestPoolDetectorRedisHolders(t *testing.T) {
	cases := []struct {
		name     string
		cmds     map[string]commandLoad
		blocked  int64
		holders  []string
		credible bool
		summary  string // "" : nothing named
		nextStep string
	}{
		{"blocking command", map[string]commandLoad{"blpop": {8, time.Second}, "get": {30, 200 * time.Microsecond}}, 8, []string{"blpop"}, true,
			"; blpop, a blocking command, ran 2,384 times, and the server counted up to 8 clients blocked at a sample", "blpop is a blocking command"},
		{"slow script", map[string]commandLoad{"evalsha": {12, 600 * time.Millisecond}, "get": {30, 200 * time.Microsecond}}, 0, []string{"evalsha"}, true,
			"; evalsha kept about 7.2 of its connections busy on average", "evalsha holds the pool's connections"},
		{"every call waited", map[string]commandLoad{"get": {30, 3 * time.Second}, "set": {10, 3 * time.Second}}, 0, []string{"get", "set"}, false,
			"", "Raise Redis client cache's PoolSize (now 10)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := synth.New()
			pool := redisPoolSeries(100, 250, 0)
			s.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
				snap := pool(t, ph)
				snap.Redis[0].Commands = commandsAt(t, c.cmds)
				snap.Redis[0].Server = &probe.RedisServerInfo{BlockedClients: c.blocked}
				return snap
			})
			s.AddIntervals(synth.SlowWhile(100, 250))
			f, rp := redisExhausted(t, s)
			var names []string
			for _, h := range rp.Holders {
				names = append(names, h.Command)
			}
			if fmt.Sprint(names) != fmt.Sprint(c.holders) || rp.HoldersCredible != c.credible || rp.PeakBlocked != c.blocked {
				t.Fatalf("holders %+v (credible %v, blocked %d), want %v (credible %v)", rp.Holders, rp.HoldersCredible, rp.PeakBlocked, c.holders, c.credible)
			}
			if h := rp.Holders[0]; c.credible && math.Abs(h.Busy-h.Floor.Seconds()*c.cmds[h.Command].perSec) > 0.05*h.Busy {
				t.Errorf("%s busy %.2f, want calls x fastest / time", h.Command, h.Busy)
			}
			if c.summary != "" && !strings.Contains(f.Summary, c.summary) || c.summary == "" && strings.Contains(f.Summary, "; get") {
				t.Errorf("summary, want %q: %s", c.summary, f.Summary)
			}
			if !strings.HasPrefix(f.NextStep, c.nextStep) {
				t.Errorf("next step: %s", f.NextStep)
			}
		})
	}
}

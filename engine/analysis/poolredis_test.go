package analysis

import (
	"strings"
	"testing"

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
		s.Redis = []probe.RedisSnapshot{{Name: "cache", Pool: probe.RedisPoolSnapshot{TotalConns: 10,
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

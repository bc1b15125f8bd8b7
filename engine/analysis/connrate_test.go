package analysis

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/synth"
	"github.com/soaklab/soak/probe"
)

// connSeries is a pool of max 16 whose acquired count ends at leaked
// after the drain, with 2,000 requests of GET /api/library/shelves.
func connSeries(leaked int32) synth.SampleFunc {
	return func(t float64, ph capture.Phase) *probe.Snapshot {
		s := synth.Snap(5e6, uint64(10+max(t, 0)), 50, synth.RequestsAt(t))
		s.HTTP.Routes = append(s.HTTP.Routes, probe.RouteSnapshot{Method: "GET", Route: "/api/library/shelves", Requests: 2000})
		acq := int32(0)
		switch ph {
		case capture.PhaseWarmup, capture.PhaseSteady:
			acq = 3 + leaked
		case capture.PhaseDrain:
			acq = leaked
		}
		s.Pools = []probe.PoolSnapshot{{Name: "db", MaxConns: 16, TotalConns: 8, AcquiredConns: acq}}
		s.Redis = []probe.RedisSnapshot{{Name: "cache"}}
		s.Leaks.ThresholdSeconds = 30
		return s
	}
}

func TestConnectionDetector(t *testing.T) {
	t.Run("leak", func(t *testing.T) {
		s := synth.New()
		s.AddSamples(connSeries(8))
		s.AddIntervals(synth.SteadyLoad)
		since := s.Start.Add(40 * time.Second)
		drainEnd := s.Capture.Timing[3].End
		s.Capture.Leaks = append(s.Capture.Leaks, capture.LeakCapture{Source: "svc", Moment: capture.MomentDrainEnd, Time: drainEnd, Report: &probe.LeakReport{
			Time: drainEnd,
			Groups: []probe.LeakGroup{{Kind: probe.LeakPGXConn, Source: "db", Count: 8, OldestSince: since,
				OldestSeconds: drainEnd.Sub(since).Seconds(), NewestSeconds: 100,
				Function: "example.com/svc.(*Store).auditShelves",
				Stack:    []probe.Frame{{Function: "example.com/svc.(*Store).auditShelves", File: "/src/svc/store.go", Line: 42}},
				Routes:   []probe.LeakRoute{{Method: "GET", Route: "/api/library/shelves", Count: 8}},
				Holders:  []probe.LeakHolder{{Since: since}, {Since: since.Add(time.Second)}}}},
		}})
		f := analyze(s).Find(DetectorConnectionLeak, "svc")
		if f.Verdict != VerdictDetected || f.Severity != SeverityCritical {
			t.Fatalf("%s", describeFinding(f))
		}
		top := f.Suspects[0]
		if top.Function != "example.com/svc.(*Store).auditShelves" || top.Line != 42 || top.Value != 8 {
			t.Errorf("suspect %+v", top)
		}
		if r := top.Routes[0]; r.Requests != 2000 || math.Abs(r.Per1000-4) > 1e-9 {
			t.Errorf("route rate %+v, want 8 per 2,000 = 4 per 1,000", r)
		}
		if !strings.Contains(f.NextStep, "store.go:42") {
			t.Errorf("next step %q", f.NextStep)
		}
	})
	t.Run("released", func(t *testing.T) {
		s := synth.New()
		s.AddSamples(connSeries(0))
		s.AddIntervals(synth.SteadyLoad)
		if f := analyze(s).Find(DetectorConnectionLeak, "svc"); f.Verdict != VerdictOK {
			t.Fatalf("%s", describeFinding(f))
		}
	})
	// A connection in use after the drain, taken after the load stopped
	// (a background job, a queue catching up): the pool's acquired count
	// is above its baseline, but nothing taken under load is held. The
	// same count with the tracer's oldest hold older than the drain is a
	// leak.
	for _, c := range []struct {
		name   string
		oldest float64 // seconds, the tracer's oldest hold after the drain
		want   Verdict
	}{{"taken after the load", 1, VerdictOK}, {"taken under the load", 60, VerdictDetected}} {
		t.Run(c.name, func(t *testing.T) {
			s := synth.New()
			s.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
				snap := connSeries(1)(t, ph)
				if ph == capture.PhaseDrain {
					snap.Pools[0].HeldConns, snap.Pools[0].OldestHeldSeconds = 1, c.oldest
				}
				return snap
			})
			s.AddIntervals(synth.SteadyLoad)
			drainEnd := s.Capture.Timing[3].End
			since := drainEnd.Add(-time.Duration(c.oldest * float64(time.Second)))
			s.Capture.Leaks = append(s.Capture.Leaks, capture.LeakCapture{Source: "svc", Moment: capture.MomentDrainEnd, Time: drainEnd, Report: &probe.LeakReport{
				Time: drainEnd, Groups: []probe.LeakGroup{{Kind: probe.LeakPGXConn, Source: "db", Count: 1, OldestSince: since,
					OldestSeconds: c.oldest, NewestSeconds: c.oldest, Holders: []probe.LeakHolder{{Since: since}}}}}})
			f := analyze(s).Find(DetectorConnectionLeak, "svc")
			if f.Verdict != c.want {
				t.Fatalf("verdict %s, want %s\n%s", f.Verdict, c.want, describeFinding(f))
			}
			if got := f.Connections.Pools[0].TakenAfterLoad; got != (c.want == VerdictOK) {
				t.Errorf("TakenAfterLoad %v", got)
			}
		})
	}
	t.Run("redis conn outside the pool", func(t *testing.T) {
		s := synth.New()
		base := connSeries(0)
		s.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
			sn := base(t, ph)
			if ph == capture.PhaseDrain {
				sn.Redis[0].HeldOutsidePool = 3
			}
			return sn
		})
		s.AddIntervals(synth.SteadyLoad)
		f := analyze(s).Find(DetectorConnectionLeak, "svc")
		if f.Verdict != VerdictDetected || f.Suspects[0].Value != 3 {
			t.Fatalf("%s", describeFinding(f))
		}
		if want := "3 connections are still held after the load stopped and the service drained: a leak; 3 of them taken from Redis client cache (Conn() or PubSub) and never closed"; f.Summary != want ||
			!strings.Contains(f.NextStep, "defer conn.Close()") {
			t.Errorf("summary %q, want %q; next step %q", f.Summary, want, f.NextStep)
		}
	})
}

func TestRateLimitDetector(t *testing.T) {
	policy := func(pol probe.RateLimitPolicy) synth.SampleFunc {
		return func(t float64, ph capture.Phase) *probe.Snapshot {
			s := synth.Snap(5e6, uint64(10+max(t, 0)), 50, synth.RequestsAt(t))
			s.RateLimits = []probe.RateLimitDeclaration{{Name: "default", Policy: pol}}
			return s
		}
	}
	perUser := func(limit int) probe.RateLimitPolicy {
		return probe.RateLimitPolicy{Limit: limit, Period: time.Minute, Algorithm: probe.GCRA, Key: probe.IdentityUser}
	}
	cases := []struct {
		name     string
		policy   probe.RateLimitPolicy
		limited  int64
		expected string
		verdict  Verdict
	}{
		// 10 users at 100 requests/s in all: 600 requests/min each.
		{"over the limit, hits", perUser(400), 21, "expected", VerdictOK},
		// The policy predicts 80 % of 429s: they are expected, but the
		// run measured the limiter.
		{"far over the limit, mostly hits", perUser(100), 80, "expected", VerdictInconclusive},
		{"over the limit, no hit", perUser(100), 0, "missing", VerdictWarning},
		{"under the limit, a few hits", perUser(1000), 3, "unexpected", VerdictWarning},
		{"under the limit, many hits", perUser(1000), 30, "unexpected", VerdictDetected},
		{"over the limit, twice the hits predicted", perUser(400), 50, "unexpected", VerdictDetected},
		{"under the limit, no hit", perUser(1000), 0, "expected", VerdictOK},
		// 6,000 requests/min in all against one shared identity.
		{"shared identity over its limit", probe.RateLimitPolicy{Limit: 1000, Period: time.Minute, Algorithm: probe.GCRA, Key: probe.IdentityIP, Shared: true}, 30, "expected", VerdictOK},
		{"whole-service window over its limit", probe.RateLimitPolicy{Limit: 3000, Period: time.Minute, Algorithm: probe.FixedWindow}, 30, "expected", VerdictOK},
		// No declared policy: a few 429s are a warning, more a defect.
		{"no policy, a few hits", probe.RateLimitPolicy{}, 3, "unknown", VerdictWarning},
		{"no policy, many hits", probe.RateLimitPolicy{}, 30, "unexpected", VerdictDetected},
		{"no policy, no hit", probe.RateLimitPolicy{}, 0, "expected", VerdictOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := synth.New()
			if c.policy.Limit > 0 {
				s.AddSamples(policy(c.policy))
			} else {
				s.AddSamples(synth.NoStores())
			}
			s.AddIntervals(func(float64) (int64, int64, int64, int64) { return 100, 0, c.limited, 2000 })
			r := analyze(s)
			f := r.Find(DetectorRateLimit, "")
			if f.Verdict != c.verdict || f.RateLimit.Expected != c.expected {
				t.Fatalf("%s / %s, want %s / %s\n%s", f.Verdict, f.RateLimit.Expected, c.verdict, c.expected, describeFinding(f))
			}
			if c.policy.Limit > 0 && math.Abs(f.RateLimit.UserRate-600) > 1 {
				t.Errorf("user rate %v per minute, want 600", f.RateLimit.UserRate)
			}
			row := r.Performance[len(r.Performance)-1]
			if row.Metric != "Rate Limit Hits" || (row.Status == StatusPass) != (c.verdict == VerdictOK) ||
				(row.Status == StatusFail) != (c.verdict == VerdictDetected) {
				t.Errorf("row %+v", row)
			}
			if r.MostlyRateLimited() != (c.limited >= 50) || (c.verdict != VerdictOK && r.ExitCode() == ExitOK) {
				t.Errorf("mostly %v, exit %d: %s", r.MostlyRateLimited(), r.ExitCode(), r.Headline())
			}
		})
	}
}

// TestConnectionHeldSinceWarmup: a connection taken in the warm-up and
// held for good (a LISTEN, a subscription, a job started on first use),
// with none taken under the steady load kept, is a warning naming it,
// not a leak; beside holds taken under the steady load it is a leak. A
// Redis PubSub opened in the warm-up likewise.
func TestConnectionHeldSinceWarmup(t *testing.T) {
	listener := probe.LeakGroup{Kind: probe.LeakPGXConn, Source: "db", Count: 1, Function: "example.com/svc.(*Notifier).listen",
		Stack: []probe.Frame{{Function: "example.com/svc.(*Notifier).listen", File: "/src/svc/notify.go", Line: 31}}}
	leak := probe.LeakGroup{Kind: probe.LeakPGXConn, Source: "db", Count: 3, Function: "example.com/svc.(*Store).auditShelves",
		Stack: []probe.Frame{{Function: "example.com/svc.(*Store).auditShelves", File: "/src/svc/store.go", Line: 42}}}
	pubsub := probe.LeakGroup{Kind: probe.LeakRedisPubSub, Source: "cache", Count: 1, Function: "example.com/svc.(*Cache).watch"}
	// A nightly report's statement still running at the drain's end,
	// taken by no request.
	job := probe.LeakGroup{Kind: probe.LeakPGXConn, Source: "db", Count: 1, Function: "example.com/svc.(*Reports).nightly",
		SQL:   "SELECT account_id, sum(amount) FROM ledger GROUP BY account_id",
		Stack: []probe.Frame{{Function: "example.com/svc.(*Reports).nightly", File: "/src/svc/reports.go", Line: 77}}}
	byRequest := func(g probe.LeakGroup) probe.LeakGroup {
		g.Routes = []probe.LeakRoute{{Method: "GET", Route: "/api/library/shelves", Count: g.Count}}
		return g
	}
	twice := func(g probe.LeakGroup) probe.LeakGroup { g.Count = 2; return g }
	cases := []struct {
		name    string
		groups  []probe.LeakGroup
		taken   []float64 // seconds into the load each group's holds were taken (the steady state starts at 20)
		pool    int32     // the pool's acquired connections after the drain
		pubsubs int       // PubSubs open after the drain
		want    Verdict
	}{
		{"listener since the warm-up", []probe.LeakGroup{listener}, []float64{5}, 1, 0, VerdictWarning},
		{"listener beside a leak", []probe.LeakGroup{listener, leak}, []float64{5, 200}, 4, 0, VerdictDetected},
		// Under the steady load: by a request (the request ended, its
		// connection did not come back) a leak, however few; by no request,
		// one from a place is a listener or a job started then, or a leak
		// that happened once, and two from one place a leak.
		{"taken by a request in the steady state", []probe.LeakGroup{byRequest(listener)}, []float64{60}, 1, 0, VerdictDetected},
		{"taken by no request in the steady state", []probe.LeakGroup{listener}, []float64{60}, 1, 0, VerdictWarning},
		{"a job's statement still running", []probe.LeakGroup{job}, []float64{150}, 1, 0, VerdictWarning},
		{"a job and a listener since the warm-up", []probe.LeakGroup{listener, job}, []float64{5, 150}, 2, 0, VerdictWarning},
		{"two from one place by no request", []probe.LeakGroup{twice(job)}, []float64{150}, 2, 0, VerdictDetected},
		{"a job beside a leak", []probe.LeakGroup{job, leak}, []float64{150, 200}, 4, 0, VerdictDetected},
		{"PubSub opened by no request in the steady state", []probe.LeakGroup{pubsub}, []float64{60}, 0, 1, VerdictWarning},
		{"PubSub opened by a request in the steady state", []probe.LeakGroup{byRequest(pubsub)}, []float64{60}, 0, 1, VerdictDetected},
		// Two connections in use, one hold in the report: the other is
		// younger than the leak threshold, taken late in the load.
		{"listener and a hold too young for the report", []probe.LeakGroup{listener}, []float64{5}, 2, 0, VerdictDetected},
		{"PubSub since the warm-up", []probe.LeakGroup{pubsub}, []float64{8}, 0, 1, VerdictWarning},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := synth.New()
			drainEnd := s.Capture.Timing[3].End
			var groups []probe.LeakGroup
			oldest := 0.0
			for i, g := range c.groups {
				since := s.Start.Add(time.Duration(c.taken[i] * float64(time.Second)))
				age := drainEnd.Sub(since).Seconds()
				g.OldestSince, g.OldestSeconds, g.NewestSeconds = since, age, age
				g.Holders = []probe.LeakHolder{{Since: since}}
				groups = append(groups, g)
				if g.Kind == probe.LeakPGXConn {
					oldest = max(oldest, age)
				}
			}
			s.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
				snap := connSeries(c.pool)(t, ph)
				if ph == capture.PhaseDrain {
					snap.Pools[0].HeldConns, snap.Pools[0].OldestHeldSeconds = int(c.pool), oldest
					snap.Redis[0].OpenPubSub = c.pubsubs
				}
				return snap
			})
			s.AddIntervals(synth.SteadyLoad)
			s.Capture.Leaks = append(s.Capture.Leaks, capture.LeakCapture{Source: "svc", Moment: capture.MomentDrainEnd, Time: drainEnd,
				Report: &probe.LeakReport{Time: drainEnd, Groups: groups}})
			f := analyze(s).Find(DetectorConnectionLeak, "svc")
			if f.Verdict != c.want {
				t.Fatalf("verdict %s, want %s\n%s", f.Verdict, c.want, describeFinding(f))
			}
			warm := 0
			for _, at := range c.taken {
				if at < 20 {
					warm++
				}
			}
			switch c.want {
			case VerdictWarning:
				if f.Connections.HeldSinceWarmup != warm || f.Connections.HeldOutsideRequests != len(c.groups)-warm ||
					len(f.Suspects) != len(c.groups) || f.Suspects[len(f.Suspects)-1].Function != c.groups[0].Function ||
					!strings.Contains(f.Summary, "none taken by a request under the steady load was kept") {
					t.Errorf("warning's figures %+v, suspects %+v, summary %q", f.Connections, f.Suspects, f.Summary)
				}
			case VerdictDetected:
				if len(c.groups) > 1 && (len(f.Suspects) != 2 || f.Suspects[0].Function != leak.Function || f.Suspects[1].Function != c.groups[0].Function) {
					t.Errorf("suspects %+v, want the leak under load, then %s", f.Suspects, c.groups[0].Function)
				}
			}
			if f.Connections.HeldAfterDrain > 0 && c.groups[0].Function == job.Function && c.groups[0].Count == 1 &&
				(len(f.Suspects) == 0 || !strings.Contains(f.Suspects[len(f.Suspects)-1].Detail, "still running, or its rows never closed")) {
				t.Errorf("a job's open statement is not worded as one: %+v", f.Suspects)
			}
		})
	}
}

// A Redis client whose pool the probe could not read (redisprobe given
// no client) reports zero connections held outside the pool: not a
// count. The finding says they were not measured, and a PubSub left
// open by the hook's own count is still a leak.
func TestConnectionRedisPoolUnread(t *testing.T) {
	for _, c := range []struct {
		name    string
		pubsubs int // open after the drain
		want    Verdict
	}{{"nothing else held", 0, VerdictOK}, {"a PubSub left open", 2, VerdictDetected}} {
		t.Run(c.name, func(t *testing.T) {
			s := synth.New()
			s.AddSamples(func(t float64, ph capture.Phase) *probe.Snapshot {
				snap := connSeries(0)(t, ph)
				snap.Redis[0].PoolUnread, snap.Redis[0].Error = true, "no client"
				if ph == capture.PhaseDrain {
					snap.Redis[0].OpenPubSub = c.pubsubs
				}
				return snap
			})
			s.AddIntervals(synth.SteadyLoad)
			f := analyze(s).Find(DetectorConnectionLeak, "svc")
			if f.Verdict != c.want || len(f.Connections.Redis) != 1 || !f.Connections.Redis[0].PoolUnread {
				t.Fatalf("verdict %s, want %s\n%s", f.Verdict, c.want, describeFinding(f))
			}
			if c.want == VerdictOK && !strings.Contains(f.Summary, "Redis client cache's connections outside its pool were not measured") {
				t.Errorf("summary %q does not say what was not measured", f.Summary)
			}
		})
	}
}

package watch

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/probe"
)

// watchSeq builds a synthetic sequence of one source's samples, one every
// 2 s: a service under a steady load whose requests in flight are
// inFlight(i) (the gauge and Little's law agree), with goroutines(i).
type watchSeq struct {
	t0       time.Time
	instance string
	served   int64 // cumulative server µs
	now      time.Time
}

func (q *watchSeq) sample(i int, ph capture.Phase, goroutines int64, inFlight float64) *capture.Sample {
	if q.t0.IsZero() {
		q.t0 = time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC)
		q.instance = "svc-1"
	}
	q.now = q.t0.Add(time.Duration(i) * 2 * time.Second)
	q.served += int64(inFlight * 2e6) // Little: L x dt of server time per poll
	snap := &probe.Snapshot{Seq: uint64(i + 1), Time: q.now, InstanceID: q.instance}
	snap.Runtime.Goroutines = goroutines
	snap.HTTP.InFlight = int64(inFlight)
	snap.HTTP.Routes = []probe.RouteSnapshot{{Method: "GET", Route: "/x", Latency: probe.Histogram{SumMicros: q.served}}}
	snap.Leaks.ThresholdSeconds = 30
	return &capture.Sample{Source: "svc-1", Time: q.now, Phase: ph, Snapshot: snap}
}

// run feeds n steady samples (after 5 of warm-up) to a Watcher and
// returns the goroutine signals with the sample index of the first.
func runGoroutines(t *testing.T, n int, g func(i int) int64, inFlight func(i int) float64) (first int, sigs []Signal) {
	t.Helper()
	w := NewWatcher()
	q := &watchSeq{}
	first = -1
	for i := 0; i < n+5; i++ {
		ph := capture.PhaseWarmup
		if i >= 5 {
			ph = capture.PhaseSteady
		}
		for _, s := range w.Observe(q.sample(i, ph, g(i), inFlight(i))) {
			if s.Kind != capture.WarnGoroutines {
				t.Fatalf("unexpected signal %+v", s)
			}
			if first < 0 {
				first = i
			}
			sigs = append(sigs, s)
		}
	}
	return first, sigs
}

func noisyInFlight(seed uint64) func(int) float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	return func(int) float64 { return 150 + 100*r.Float64() }
}

func TestWatchGoroutineLeakWarns(t *testing.T) {
	flight := noisyInFlight(1)
	var last float64
	first, sigs := runGoroutines(t, 120, func(i int) int64 {
		last = flight(i)
		leaked := 0
		if i >= 5 {
			leaked = 4 * (i - 5) // 2 goroutines a second, never released
		}
		return int64(300 + last + float64(leaked))
	}, func(int) float64 { return last })
	if first < 0 {
		t.Fatal("a leak of 2 goroutines a second over 4 minutes raised no signal")
	}
	if !strings.Contains(sigs[0].What, "still rising") {
		t.Errorf("signal %q does not say it still rises", sigs[0].What)
	}
	t.Logf("first signal at sample %d (%s of steady state): %s", first, time.Duration(first-5)*2*time.Second, sigs[0].What)
}

func TestWatchLazyWorkerPoolDoesNotWarn(t *testing.T) {
	// 16 workers started at the first job, then flat, under noisy load.
	flight := noisyInFlight(2)
	var cur float64
	first, sigs := runGoroutines(t, 150, func(i int) int64 {
		cur = flight(i)
		pool := 0.0
		if i >= 12 {
			pool = 16
		}
		return int64(300 + cur + pool)
	}, func(int) float64 { return cur })
	if first >= 0 {
		t.Fatalf("a lazy 16-worker pool raised %d signals, the first at sample %d: %s", len(sigs), first, sigs[0].What)
	}
}

func TestWatchLazyWorkerPoolStartingGraduallyDoesNotWarn(t *testing.T) {
	// The pool's workers start one per job until 16: a short rise, then flat.
	first, sigs := runGoroutines(t, 150, func(i int) int64 {
		return int64(300 + 200 + min(max(i-10, 0), 16))
	}, func(int) float64 { return 200 })
	if first >= 0 {
		t.Fatalf("a 16-worker pool started gradually raised %d signals: %s", len(sigs), sigs[0].What)
	}
}

func TestWatchBoundedBurstDoesNotWarn(t *testing.T) {
	// A batch job starts 300 goroutines over 3 polls, they finish 4 polls
	// later; three such bursts.
	first, sigs := runGoroutines(t, 150, func(i int) int64 {
		burst := 0
		switch k := i % 40; {
		case k >= 20 && k < 23:
			burst = 100 * (k - 19)
		case k >= 23 && k < 27:
			burst = 300
		}
		return int64(300 + 200 + burst)
	}, func(int) float64 { return 200 })
	if first >= 0 {
		t.Fatalf("a bounded burst raised %d signals: %s", len(sigs), sigs[0].What)
	}
}

func TestWatchGoroutinesThatLittlesLawExplainsDoNotWarn(t *testing.T) {
	// Latency rises through the run, so requests in flight rise, and a
	// goroutine serves each: more goroutines, all explained.
	first, sigs := runGoroutines(t, 120, func(i int) int64 {
		return int64(300 + 100 + 3*float64(i))
	}, func(i int) float64 { return 100 + 3*float64(i) })
	if first >= 0 {
		t.Fatalf("goroutines following requests in flight raised %d signals: %s", len(sigs), sigs[0].What)
	}
}

func TestWatchGoroutinesRiseOnlyDuringWarmup(t *testing.T) {
	// Connections and their goroutines come with the users of the ramp.
	w := NewWatcher()
	q := &watchSeq{}
	for i := 0; i < 60; i++ {
		ph := capture.PhaseWarmup
		g := int64(100 + 10*i)
		if i >= 30 {
			ph, g = capture.PhaseSteady, 400
		}
		if sigs := w.Observe(q.sample(i, ph, g, 0)); len(sigs) > 0 {
			t.Fatalf("sample %d: %+v", i, sigs)
		}
	}
}

func TestWatchHeldNeedsTwoPolls(t *testing.T) {
	w := NewWatcher()
	q := &watchSeq{}
	suspects := []int{0, 1, 0, 0, 2, 3, 3}
	var got []int
	for i, n := range suspects {
		s := q.sample(i, capture.PhaseSteady, 10, 0)
		s.Snapshot.Leaks.Suspects = n
		for _, sig := range w.Observe(s) {
			if sig.Kind == capture.WarnHeld {
				got = append(got, i)
				if sig.Threshold != 30*time.Second || !strings.Contains(sig.What, "leak threshold (30s)") {
					t.Errorf("signal %+v", sig)
				}
			}
		}
	}
	if want := []int{5, 6}; !equalInts(got, want) {
		t.Fatalf("held signals at samples %v, want %v (a single poll is one slow request)", got, want)
	}
}

func TestWatchPoolTimeouts(t *testing.T) {
	type poll struct {
		acquired, max int32
		canceled      int64
	}
	for _, tc := range []struct {
		name  string
		polls []poll
		want  []int
	}{
		{"at max, waits timing out", []poll{{20, 20, 0}, {20, 20, 5}, {20, 20, 12}, {20, 20, 30}}, []int{2, 3}},
		{"waits canceled below max", []poll{{5, 20, 0}, {8, 20, 5}, {9, 20, 12}, {3, 20, 30}}, nil},
		{"at max, no wait canceled", []poll{{20, 20, 7}, {20, 20, 7}, {20, 20, 7}, {20, 20, 7}}, nil},
		{"one poll of timeouts, then recovered", []poll{{20, 20, 0}, {20, 20, 5}, {20, 20, 5}, {20, 20, 9}, {12, 20, 9}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := NewWatcher()
			q := &watchSeq{}
			var got []int
			for i, p := range tc.polls {
				s := q.sample(i, capture.PhaseSteady, 10, 0)
				s.Snapshot.Pools = []probe.PoolSnapshot{{Name: "db", AcquiredConns: p.acquired, MaxConns: p.max, CanceledAcquireCount: p.canceled}}
				for _, sig := range w.Observe(s) {
					if sig.Kind != capture.WarnPoolTimeouts || sig.Pool != "db" {
						t.Fatalf("signal %+v", sig)
					}
					got = append(got, i)
				}
			}
			if !equalInts(got, tc.want) {
				t.Fatalf("signals at %v, want %v", got, tc.want)
			}
		})
	}
}

func TestWatchRestartStartsOver(t *testing.T) {
	w := NewWatcher()
	q := &watchSeq{}
	s := q.sample(0, capture.PhaseSteady, 10, 0)
	s.Snapshot.Leaks.Suspects = 1
	w.Observe(s)
	q.instance = "svc-1b" // the service restarted: its holds are new
	s = q.sample(1, capture.PhaseSteady, 10, 0)
	s.Snapshot.Leaks.Suspects = 1
	if sigs := w.Observe(s); len(sigs) > 0 {
		t.Fatalf("a restarted probe's first poll continued the streak: %+v", sigs)
	}
	if sigs := w.Observe(&capture.Sample{Source: "svc-1", Error: "timed out"}); sigs != nil {
		t.Fatalf("a failed poll raised %+v", sigs)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestWatchNoisyFlatServiceDoesNotWarn(t *testing.T) {
	// The goroutines are counted at another instant than the in-flight
	// gauge and Little's law: they disagree by up to ±40 every poll.
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		flight := noisyInFlight(seed)
		var gauge float64
		first, sigs := runGoroutines(t, 300, func(i int) int64 {
			actual := flight(i)
			gauge = actual + 80*(r.Float64()-0.5)
			return int64(300 + actual)
		}, func(int) float64 { return gauge })
		if first >= 0 {
			t.Fatalf("seed %d: a flat service raised %d signals, the first at sample %d: %s", seed, len(sigs), first, sigs[0].What)
		}
	}
}

func TestWatchNoisyLeakWarns(t *testing.T) {
	// The same disagreement, with 5 goroutines a second leaked.
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		flight := noisyInFlight(seed)
		var gauge float64
		first, _ := runGoroutines(t, 120, func(i int) int64 {
			actual := flight(i)
			gauge = actual + 80*(r.Float64()-0.5)
			return int64(300+actual) + int64(10*max(i-5, 0))
		}, func(int) float64 { return gauge })
		if first < 0 {
			t.Fatalf("seed %d: a leak of 5 goroutines a second under noise raised no signal in 4 minutes", seed)
		}
		t.Logf("seed %d: first signal after %s of steady state", seed, time.Duration(first-5)*2*time.Second)
	}
}

// recordedGoroutineLeak is the steady state of a `soak demo --fault
// goroutine-leak` (200 users, one goroutine leaked per 10 trending
// requests) on the shared 2-core machine, one poll every 2 s:
// goroutines and requests in flight. The load was bursty (the machine
// was busy): requests in flight swing from 0 to 140 between polls.
var recordedGoroutineLeak = [][2]int64{
	{609, 140}, {581, 108}, {566, 93}, {519, 42}, {507, 26}, {484, 1}, {558, 107}, {597, 107}, {506, 68}, {615, 116},
	{609, 106}, {504, 0}, {566, 53}, {560, 71}, {582, 106}, {596, 70}, {532, 1}, {562, 22}, {561, 13}, {553, 0},
	{564, 5}, {567, 0}, {574, 0}, {582, 0}, {613, 26}, {626, 34}, {598, 1}, {628, 28}, {612, 0}, {619, 0},
	{627, 0}, {636, 0}, {646, 0}, {658, 7}, {661, 0}, {700, 33}, {709, 36}, {679, 0}, {687, 3}, {695, 3},
	{728, 28}, {713, 7}, {714, 0}, {740, 15}, {759, 30}, {790, 55}, {741, 0}, {759, 10}, {811, 34}, {787, 27},
}

func TestWatchRecordedDemoGoroutineLeak(t *testing.T) {
	rec := recordedGoroutineLeak
	first, sigs := runGoroutines(t, len(rec), func(i int) int64 {
		return rec[max(i-5, 0)][0]
	}, func(i int) float64 { return float64(rec[max(i-5, 0)][1]) })
	if first < 0 {
		t.Fatal("the demo's goroutine leak raised no signal over its 100 s of steady state")
	}
	t.Logf("first signal after %s of steady state: %s", time.Duration(first-5)*2*time.Second, sigs[0].What)
}

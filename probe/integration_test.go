package probe_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/label"
)

// testPool is an integration of the test's own: a PoolSource, HoldLister
// and io.Closer whose holds the test takes with NewHold, as probe/pgxprobe
// does on acquire.
type testPool struct {
	name      string
	err       string
	mu        sync.Mutex
	held      []probe.Held
	untracked int // a count of holds not tracked one by one
	closed    int
}

func (s *testPool) PoolSnapshot(_ context.Context, _ time.Time) probe.PoolSnapshot {
	return probe.PoolSnapshot{Name: s.name, Error: s.err, TracerPanics: 2}
}

func (s *testPool) AppendHolds(dst []probe.Held) []probe.Held {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append(dst, s.held...)
}

func (s *testPool) AppendCounts(dst []probe.Held) []probe.Held {
	return append(dst, probe.Held{Kind: probe.LeakRedisConn, Source: s.name, Count: s.untracked})
}

func (s *testPool) Close() error {
	s.closed++
	return errors.New("closed")
}

func (s *testPool) add(h probe.Held) {
	s.mu.Lock()
	s.held = append(s.held, h)
	s.mu.Unlock()
}

// acquireForShelves stands for the application function that takes a
// resource: the first frame of its holds' stacks.
//
//go:noinline
func acquireForShelves(p *probe.Probe, ctx context.Context) probe.Hold { return p.NewHold(ctx, 0) }

func shelvesCtx(user string) context.Context {
	return label.NewContext(context.Background(), &label.Info{
		Set:    label.Set{Run: "run-1", Class: "AuthenticatedUser", User: user},
		Method: "GET", Route: "/api/library/shelves",
	})
}

func TestLeaksFromAnIntegration(t *testing.T) {
	t0 := time.Date(2026, 2, 18, 10, 0, 0, 0, time.UTC)
	now := t0
	p := probe.New(probe.WithClock(func() time.Time { return now }), probe.WithLeakThreshold(30*time.Second))
	src := &testPool{name: "main", err: "dial postgres://u:hunter2@db/x: refused"}
	p.AddPool(src)

	var old probe.Hold
	for _, user := range []string{"1", "2"} { // one call site: one stack
		h := acquireForShelves(p, shelvesCtx(user))
		src.add(probe.Held{Kind: probe.LeakPGXConn, Source: "main", Hold: h})
		if user == "1" {
			old = h
			src.add(probe.Held{Kind: probe.LeakPGXQuery, Source: "main", SQL: "SELECT ?", Hold: h})
			now = now.Add(40 * time.Second)
		}
	}
	if old.IsZero() || !(probe.Hold{}).IsZero() {
		t.Fatal("IsZero is wrong")
	}
	src.untracked = 3
	now = now.Add(5 * time.Second)

	if d := p.Elapsed(old); d != 45*time.Second {
		t.Errorf("Elapsed = %v, want 45s", d)
	}
	if d := p.ElapsedAt(old, t0.Add(time.Second)); d != time.Second {
		t.Errorf("ElapsedAt = %v, want 1s", d)
	}
	all := p.Leaks(0)
	if len(all.Groups) != 2 {
		t.Fatalf("groups %+v: want the two connections in one group (same stack) and the query", all.Groups)
	}
	conns := all.Groups[0]
	if conns.Kind != probe.LeakPGXConn || conns.Count != 2 || conns.OldestSeconds != 45 || conns.NewestSeconds != 5 ||
		!strings.HasSuffix(conns.Function, ".acquireForShelves") || len(conns.Routes) != 1 || conns.Routes[0].Count != 2 ||
		len(conns.Holders) != 2 || conns.Holders[0].User != "1" {
		t.Errorf("connection group = %+v", conns)
	}
	if q := all.Groups[1]; q.Kind != probe.LeakPGXQuery || q.SQL != "SELECT ?" {
		t.Errorf("query group = %+v", q)
	}
	if r := p.Leaks(30 * time.Second); len(r.Groups) != 2 || r.Groups[0].Count != 1 {
		t.Errorf("leaks of 30 s and more: %+v", r.Groups)
	}

	snap, err := p.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := snap.Pool("main")
	if snap.Leaks.Suspects != 2 || snap.ProbePanics != 2 || strings.Contains(ps.Error, "hunter2") ||
		len(snap.Errors) != 1 || !strings.HasPrefix(snap.Errors[0], "pool main: ") || strings.Contains(snap.Errors[0], "hunter2") {
		t.Errorf("snapshot: suspects %d panics %d pool error %q errors %v", snap.Leaks.Suspects, snap.ProbePanics, ps.Error, snap.Errors)
	}

	err = p.Find(probe.MaxWait(0))
	if err == nil || !strings.Contains(err.Error(), "2 pgx-conn from main") ||
		!strings.Contains(err.Error(), "3 redis-conn from main: connections out of the pool") {
		t.Errorf("Find = %v", err)
	}
	if err := p.Find(probe.MaxWait(0), probe.IgnoreFunction(conns.Function), probe.IgnoreKind(probe.LeakRedisConn)); err != nil {
		t.Errorf("Find ignoring the function and the untracked count = %v", err)
	}
	if err := p.Close(); err == nil || err.Error() != "closed" || src.closed != 1 {
		t.Errorf("Close = %v after %d closes, want the source's error", err, src.closed)
	}
}

// atDepth calls f with about n extra frames on the stack.
//
//go:noinline
func atDepth(n int, f func()) {
	if n <= 0 {
		f()
		return
	}
	atDepth(n-1, f)
}

func TestStackTableCap(t *testing.T) {
	p := probe.New(probe.WithMaxStacks(8))
	src := &testPool{name: "main"}
	p.AddPool(src)
	for i := 0; i < 40; i++ {
		atDepth(i, func() {
			src.add(probe.Held{Kind: probe.LeakPGXConn, Source: "main", Hold: p.NewHold(context.Background(), 0)})
		})
	}
	snap, _ := p.Snapshot(context.Background())
	if snap.Leaks.Stacks != 8 || snap.Leaks.StacksDropped != 32 {
		t.Errorf("stacks %d dropped %d, want 8 and 32", snap.Leaks.Stacks, snap.Leaks.StacksDropped)
	}
	withStack, all := 0, 0
	for _, g := range p.Leaks(0).Groups {
		all += g.Count
		if len(g.Stack) > 0 {
			withStack += g.Count
		}
	}
	if withStack != 8 || all != 40 {
		t.Errorf("%d holds with a stack of %d, want 8 of 40: holds without a stored stack must still be listed", withStack, all)
	}
}

func TestSetConfigDefault(t *testing.T) {
	p := probe.New()
	if !p.SetConfigDefault(probe.ConfigDBPoolMax, "25") || p.Config()[probe.ConfigDBPoolMax] != "25" {
		t.Error("an unset key was not set")
	}
	p.SetConfig(probe.ConfigRedisMaxMemory, "1gb (noeviction)")
	if p.SetConfigDefault(probe.ConfigRedisMaxMemory, "unlimited") || p.Config()[probe.ConfigRedisMaxMemory] != "1gb (noeviction)" {
		t.Error("what the service set was overridden")
	}
}

func TestSettings(t *testing.T) {
	var zero probe.Probe
	if s := zero.Settings(); s != (probe.Settings{MaxHeld: probe.DefaultMaxHeld, LeakThreshold: probe.DefaultLeakThreshold, PollInterval: probe.DefaultPollInterval}) {
		t.Errorf("zero probe settings = %+v", s)
	}
	p := probe.New(probe.WithMaxHeld(7), probe.WithLeakThreshold(time.Minute), probe.WithPollInterval(2*time.Second))
	if s := p.Settings(); s != (probe.Settings{MaxHeld: 7, LeakThreshold: time.Minute, PollInterval: 2 * time.Second}) {
		t.Errorf("settings = %+v", s)
	}
}

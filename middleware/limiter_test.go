package middleware

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soaklab/soak/middleware/internal/mwtest"
	"github.com/soaklab/soak/probe"
)

func newTestLimiter(t testing.TB, p Policy, maxIDs int, clk *mwtest.FakeClock) *Limiter {
	t.Helper()
	l, err := NewLimiter(LimiterConfig{Policy: p, MaxIdentities: maxIDs, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// bucket is a reference token bucket, independent of the GCRA code: tokens
// are counted in nanoseconds of refill (one request = interval ns), capped
// at burst × interval, refilled by elapsed time.
type bucket struct {
	interval, capacity, tokens, last int64
}

func newBucket(p Policy) *bucket {
	iv := int64(p.Period) / int64(p.Limit)
	c := iv * int64(p.BurstOrLimit())
	return &bucket{interval: iv, capacity: c, tokens: c}
}

func (b *bucket) allow(now int64) bool {
	b.tokens = min(b.capacity, b.tokens+now-b.last)
	b.last = now
	if b.tokens < b.interval {
		return false
	}
	b.tokens -= b.interval
	return true
}

func TestLimiterBurstThenDeny(t *testing.T) {
	clk := &mwtest.FakeClock{}
	l := newTestLimiter(t, PerMinute(100), 0, clk)
	id := Identity{KindUser, "user0001"}
	for i := range 100 {
		d := l.Allow(id)
		if !d.Allowed || d.Remaining != 99-i || d.Limit != 100 {
			t.Fatalf("request %d: %+v, want allowed with %d remaining", i+1, d, 99-i)
		}
	}
	d := l.Allow(id)
	want := Decision{Limit: 100, RetryAfter: 600 * time.Millisecond, Reset: time.Minute}
	if d != want {
		t.Fatalf("request 101: %+v, want %+v", d, want)
	}
	clk.Advance(599 * time.Millisecond)
	if d := l.Allow(id); d.Allowed || d.RetryAfter != time.Millisecond {
		t.Fatalf("after 599ms: %+v, want denied, retry after 1ms", d)
	}
	clk.Advance(time.Millisecond)
	if d := l.Allow(id); !d.Allowed || d.Remaining != 0 {
		t.Fatalf("after 600ms: %+v, want allowed with 0 remaining", d)
	}
	if d := l.Allow(Identity{KindUser, "user0002"}); !d.Allowed || d.Remaining != 99 {
		t.Fatalf("another user: %+v, want a full burst", d)
	}
	if d := l.Allow(Identity{KindIP, "user0001"}); !d.Allowed || d.Remaining != 99 {
		t.Fatalf("same key of another kind: %+v, want a separate identity", d)
	}
}

// 100/min driven at 150/min for ten minutes: the expected allowances come
// from the reference bucket, and in closed form request k (at 400k ms) is
// allowed while allowed-so-far < 100 + t/600ms.
func TestLimiterDrivenPastLimit(t *testing.T) {
	clk := &mwtest.FakeClock{}
	p := PerMinute(100)
	l := newTestLimiter(t, p, 0, clk)
	ref := newBucket(p)
	id := Identity{KindUser, "u"}
	allowed, denied := 0, 0
	for k := range 1500 {
		now := int64(k) * int64(400*time.Millisecond)
		clk.Set(time.Duration(now))
		got := l.Allow(id).Allowed
		if want := ref.allow(now); got != want {
			t.Fatalf("request %d at %v: allowed=%v, reference bucket says %v", k, time.Duration(now), got, want)
		}
		if closed := (allowed+1)*600 <= 100*600+k*400; got != closed {
			t.Fatalf("request %d: allowed=%v, closed form says %v", k, got, closed)
		}
		if got {
			allowed++
		} else {
			denied++
		}
	}
	// By t = 599.6 s: 100 + floor(599600/600) = 1099 allowed.
	if allowed != 1099 || denied != 401 {
		t.Fatalf("allowed %d denied %d, want 1099 and 401", allowed, denied)
	}
}

func TestLimiterExpiry(t *testing.T) {
	clk := &mwtest.FakeClock{}
	l := newTestLimiter(t, PerMinute(100), 1000, clk)
	for i := range 10 {
		l.Allow(Identity{KindIP, strconv.Itoa(i)})
	}
	// Identity 0 spends the rest of its burst a second later: its burst is
	// back in full at 1 s + 99 × 0.6 s = 60.4 s, the others' at 0.6 s.
	clk.Advance(time.Second)
	for range 99 {
		l.Allow(Identity{KindIP, "0"})
	}
	if s := l.Stats(); s.Identities != 10 || s.Expired != 0 {
		t.Fatalf("stats %+v, want 10 identities", s)
	}
	// At 60 s identities 1-9 are idle with a full burst: the sweep (once
	// per minute here) drops them, and 0 stays.
	clk.Set(time.Minute)
	l.Allow(Identity{KindIP, "new"})
	if s := l.Stats(); s.Identities != 2 || s.Expired != 9 {
		t.Fatalf("after a minute: %+v, want 2 identities (0 and new), 9 expired", s)
	}
	// 0 kept its state: this request moves its next slot from 60.4 s to
	// 61 s, so (60 s - (61 s - 60 s)) / 0.6 s = 98 remain.
	if d := l.Allow(Identity{KindIP, "0"}); d.Remaining != 98 {
		t.Fatalf("identity 0 forgot its state: %+v", d)
	}
}

func TestLimiterCap(t *testing.T) {
	clk := &mwtest.FakeClock{}
	l := newTestLimiter(t, PerMinute(100), 8, clk)
	// "old" sent one request; seven others sent 50 each: "old" is the
	// closest to a full burst, so it is the one evicted for a newcomer
	// (with 8 entries the sample of 8 sees them all).
	l.Allow(Identity{KindUser, "old"})
	for i := range 7 {
		for range 50 {
			l.Allow(Identity{KindUser, strconv.Itoa(i)})
		}
	}
	clk.Advance(100 * time.Millisecond)
	l.Allow(Identity{KindUser, "newcomer"})
	if s := l.Stats(); s.Identities != 8 || s.Evicted != 1 || s.Capacity != 8 {
		t.Fatalf("stats %+v, want 8 identities, 1 evicted", s)
	}
	if d := l.Allow(Identity{KindUser, "0"}); d.Remaining != 49 {
		t.Fatalf("a busy identity was evicted: %+v", d)
	}
	if d := l.Allow(Identity{KindUser, "old"}); d.Remaining != 99 {
		t.Fatalf("old was not evicted: %+v", d)
	}
	// A flood of new identities never grows the table beyond the cap.
	for i := range 1000 {
		l.Allow(Identity{KindIP, "flood" + strconv.Itoa(i)})
		if n := l.Stats().Identities; n > 8 {
			t.Fatalf("table grew to %d", n)
		}
	}
}

func TestLimiterCapSharded(t *testing.T) {
	clk := &mwtest.FakeClock{}
	l := newTestLimiter(t, PerMinute(10), 100_000, clk)
	if s := l.Stats(); s.Capacity != 100_000 || len(l.shards) != 32 {
		t.Fatalf("capacity %d over %d shards", s.Capacity, len(l.shards))
	}
	for i := range 150_000 {
		l.Allow(Identity{KindIP, strconv.Itoa(i)})
	}
	if s := l.Stats(); s.Identities > 100_000 || s.Identities < 99_000 || s.Evicted != uint64(150_000-s.Identities) {
		t.Fatalf("stats %+v after 150000 identities", s)
	}
}

func TestLimiterConcurrent(t *testing.T) {
	clk := &mwtest.FakeClock{}
	l := newTestLimiter(t, PerMinute(50), 0, clk)
	var allowed [8]atomic.Int64
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 400 {
				u := (g + i) % 8
				if l.Allow(Identity{KindUser, strconv.Itoa(u)}).Allowed {
					allowed[u].Add(1)
				}
			}
		})
	}
	wg.Wait()
	// The clock stood still: each identity got exactly its burst.
	for u := range allowed {
		if n := allowed[u].Load(); n != 50 {
			t.Errorf("identity %d: %d allowed, want 50", u, n)
		}
	}
}

func TestNewLimiterErrors(t *testing.T) {
	for _, tt := range []struct {
		cfg  LimiterConfig
		want string
	}{
		{LimiterConfig{}, "Policy: probe: invalid rate-limit policy: Limit must be > 0"},
		{LimiterConfig{Policy: Policy{Limit: 10}}, "Policy: probe: invalid rate-limit policy: Period"},
		{LimiterConfig{Policy: Policy{Limit: 10, Period: time.Second, Burst: -1}}, "Burst"},
		{LimiterConfig{Policy: Policy{Limit: 2_000_000_000, Period: time.Millisecond}}, "Limit 2000000000 per Period 1ms"},
		{LimiterConfig{Policy: Policy{Limit: 10, Period: time.Second, Algorithm: probe.FixedWindow}}, `Policy.Algorithm "fixed-window"`},
		{LimiterConfig{Policy: Policy{Limit: 10, Period: time.Second, Key: "user"}}, "Policy.Key"},
		{LimiterConfig{Policy: PerMinute(1), MaxIdentities: -5}, "MaxIdentities"},
	} {
		_, err := NewLimiter(tt.cfg)
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewLimiter(%+v) = %v, want an error naming %s", tt.cfg, err, tt.want)
		}
	}
}

func TestPolicyString(t *testing.T) {
	for _, tt := range []struct {
		p            Policy
		str, polHead string
	}{
		{PerMinute(100), "100 req/min, burst 100", "100;w=60"},
		{Policy{Limit: 10, Period: time.Second, Burst: 50}, "10 req/s, burst 50", "10;w=1;burst=50"},
		{Policy{Limit: 5, Period: 90 * time.Second}, "5 req/1m30s, burst 5", "5;w=90"},
		{Policy{Limit: 3, Period: 1500 * time.Millisecond}, "3 req/1.5s, burst 3", "3;w=2"},
	} {
		if got := tt.p.String(); got != tt.str {
			t.Errorf("String() = %q, want %q", got, tt.str)
		}
		if got := headerPolicy(tt.p); got != tt.polHead {
			t.Errorf("headerPolicy() = %q, want %q", got, tt.polHead)
		}
	}
}

// FuzzLimiter drives one limiter and the reference bucket with the same
// arbitrary schedule (clock steps and identities) and checks that they
// agree on every decision, that Remaining and RetryAfter are consistent,
// and that the table stays within its cap.
func FuzzLimiter(f *testing.F) {
	f.Add(uint8(3), uint8(2), []byte{0, 0, 0, 0, 10, 200, 3, 0, 255, 1})
	f.Add(uint8(1), uint8(1), []byte{1, 1, 1, 1})
	f.Fuzz(func(t *testing.T, limit, burst uint8, ops []byte) {
		if limit == 0 || len(ops) > 4096 {
			return
		}
		p := Policy{Limit: int(limit), Period: time.Second, Burst: int(burst)}
		clk := &mwtest.FakeClock{}
		l := newTestLimiter(t, p, 1000, clk)
		refs := map[string]*bucket{}
		for i, op := range ops {
			clk.Advance(time.Duration(op>>2) * 7 * time.Millisecond)
			key := fmt.Sprint(op & 3)
			ref := refs[key]
			if ref == nil {
				ref = newBucket(p)
				ref.last = int64(clk.Now().Sub(mwtest.ClockBase))
				refs[key] = ref
			}
			d := l.Allow(Identity{KindIP, key})
			if want := ref.allow(int64(clk.Now().Sub(mwtest.ClockBase))); d.Allowed != want {
				t.Fatalf("op %d: allowed=%v, reference says %v", i, d.Allowed, want)
			}
			if d.Allowed != (d.RetryAfter == 0) || d.Remaining < 0 || d.Remaining > p.Limit || d.Reset < 0 {
				t.Fatalf("op %d: inconsistent decision %+v", i, d)
			}
			if d.Remaining != int(min(ref.tokens/ref.interval, int64(p.Limit))) {
				t.Fatalf("op %d: remaining %d, reference has %d tokens", i, d.Remaining, ref.tokens/ref.interval)
			}
		}
		if s := l.Stats(); s.Identities > 4 {
			t.Fatalf("%d identities from 4 keys", s.Identities)
		}
	})
}

// The clock is read with the shard locked, so that a goroutine preempted
// between reading it and locking cannot be judged at a stale instant behind
// arrivals already recorded (a wrong 429).
func TestLimiterReadsClockUnderLock(t *testing.T) {
	var l *Limiter
	reads := 0
	clock := func() time.Time {
		if l != nil { // not the constructor's read
			reads++
			if l.shards[0].mu.TryLock() {
				l.shards[0].mu.Unlock()
				t.Error("clock read without the shard lock")
			}
		}
		return mwtest.ClockBase
	}
	l, err := NewLimiter(LimiterConfig{Policy: PerMinute(10), MaxIdentities: 10, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	l.Allow(Identity{KindIP, "a"})
	if reads != 1 {
		t.Fatalf("clock read %d times", reads)
	}
}

package probe

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
)

func TestCacheFunc(t *testing.T) {
	p := New()
	var n atomic.Int64
	rec := p.CacheFunc("pages", func() CacheSnapshot {
		n.Add(1)
		return CacheSnapshot{Name: "ignored", Entries: 10, CapacityEntries: 100, UsedBytes: 4096, MaxBytes: 1 << 20}
	})
	rec.Hit()
	rec.Miss()
	rec.SetEntries(3) // replaced by the callback's
	snap, err := p.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got, ok := snap.Cache("pages")
	want := CacheSnapshot{Name: "pages", Kind: CacheInProcess, Hits: 1, Misses: 1, HitRatio: 0.5,
		Entries: 10, CapacityEntries: 100, UsedBytes: 4096, MaxBytes: 1 << 20}
	if !ok || got != want || n.Load() != 1 || len(snap.Errors) != 0 {
		t.Fatalf("cache = %+v (calls %d, errors %q)\nwant    %+v", got, n.Load(), snap.Errors, want)
	}
	// Counters from the callback replace the recorder's.
	p.CacheFunc("pages", func() CacheSnapshot { return CacheSnapshot{Hits: 9, Misses: 1, Evictions: 2, Entries: 5} })
	snap, _ = p.Snapshot(context.Background())
	if got, _ := snap.Cache("pages"); got.Hits != 9 || got.HitRatio != 0.9 || got.Evictions != 2 || got.Entries != 5 || got.CapacityEntries != 0 {
		t.Errorf("after redeclaring: %+v", got)
	}
	// nil removes the callback: the recorder's figures are back.
	p.CacheFunc("pages", nil)
	snap, _ = p.Snapshot(context.Background())
	if got, _ := snap.Cache("pages"); got.Entries != 3 || got.Hits != 1 {
		t.Errorf("after removing: %+v", got)
	}
}

func TestCacheFuncPanic(t *testing.T) {
	p := New()
	calls := 0
	p.CacheFunc("c", func() CacheSnapshot {
		calls++
		if calls == 2 {
			panic("cache corrupted")
		}
		return CacheSnapshot{Entries: int64(calls)}
	})
	snap, _ := p.Snapshot(context.Background())
	if c, _ := snap.Cache("c"); c.Entries != 1 || len(snap.Errors) != 0 {
		t.Fatalf("first: %+v %q", c, snap.Errors)
	}
	snap, _ = p.Snapshot(context.Background())
	c, _ := snap.Cache("c")
	if c.Entries != 1 || len(snap.Errors) != 1 || !strings.Contains(snap.Errors[0], "cache c: callback panicked: cache corrupted") {
		t.Fatalf("after a panic: %+v %q", c, snap.Errors)
	}
	snap, _ = p.Snapshot(context.Background())
	if c, _ := snap.Cache("c"); c.Entries != 3 || len(snap.Errors) != 0 {
		t.Fatalf("after recovering: %+v %q", c, snap.Errors)
	}
}

// A callback that blocks does not hold the snapshot past the timeout, and
// is not called again while it blocks.
func TestCacheFuncBlocks(t *testing.T) {
	p := New()
	release := make(chan struct{})
	var calls atomic.Int64
	p.CacheFunc("slow", func() CacheSnapshot {
		if calls.Add(1) == 1 {
			return CacheSnapshot{Entries: 7}
		}
		<-release
		return CacheSnapshot{Entries: 8}
	})
	// The first call returns 7 (on a loaded machine, perhaps after its
	// snapshot gave up waiting: a later one reads it).
	for i := 0; ; i++ {
		snap, _ := p.Snapshot(context.Background())
		if c, _ := snap.Cache("slow"); c.Entries == 7 {
			break
		}
		if i == 100 {
			t.Fatal("the first call's figures never came")
		}
	}
	for range 3 {
		snap, err := p.Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		c, _ := snap.Cache("slow")
		if c.Entries != 7 || len(snap.Errors) != 1 || !strings.Contains(snap.Errors[0], "did not return within") {
			t.Fatalf("while blocked: %+v %q", c, snap.Errors)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d calls, want 2 (one in flight at a time)", n)
	}
	close(release)
	// The call in flight returns; the next snapshot sees its figures
	// or starts a fresh call that returns at once.
	for i := 0; ; i++ {
		snap, _ := p.Snapshot(context.Background())
		if c, _ := snap.Cache("slow"); c.Entries == 8 && len(snap.Errors) == 0 {
			break
		}
		if i == 100 {
			t.Fatal("the released call's figures never came")
		}
	}
}

func TestCacheFuncOverflow(t *testing.T) {
	p := New()
	for i := range DefaultMaxCaches {
		p.Cache(string(rune('A' + i)))
	}
	c := p.CacheFunc("second", func() CacheSnapshot { return CacheSnapshot{Entries: 99} })
	snap, _ := p.Snapshot(context.Background())
	if o, _ := snap.Cache(OverflowCache); c.name != OverflowCache || o.Entries != 0 {
		t.Errorf("overflow: %+v", o)
	}
}

package probe

import (
	"context"
	"fmt"
	"testing"
)

func TestCacheStats(t *testing.T) {
	p := New()
	c := p.Cache("pages")
	if p.Cache("pages") != c {
		t.Fatal("Cache is not stable for the same name")
	}
	for i := 0; i < 7; i++ {
		c.Hit()
	}
	for i := 0; i < 3; i++ {
		c.Miss()
	}
	c.Add(2, 1)
	c.Evicted(4)
	c.SetEntries(1500)
	c.SetCapacity(2000)
	c.SetUsedBytes(1 << 20)
	c.SetMaxBytes(4 << 20)
	snap, _ := p.Snapshot(context.Background())
	got, ok := snap.Cache("pages")
	want := CacheSnapshot{Name: "pages", Kind: CacheInProcess, Hits: 9, Misses: 4, HitRatio: 9.0 / 13, Evictions: 4,
		Entries: 1500, CapacityEntries: 2000, UsedBytes: 1 << 20, MaxBytes: 4 << 20}
	if !ok || got != want {
		t.Errorf("cache = %+v\nwant    %+v", got, want)
	}
	if n := testing.AllocsPerRun(100, func() { c.Hit(); c.Miss() }); n != 0 {
		t.Errorf("Hit/Miss allocate %v", n)
	}
}

func TestCacheCap(t *testing.T) {
	p := New()
	for i := 0; i < DefaultMaxCaches+10; i++ {
		p.Cache(fmt.Sprint("c", i)).Hit()
	}
	snap, _ := p.Snapshot(context.Background())
	if len(snap.Caches) != DefaultMaxCaches+1 {
		t.Fatalf("%d caches", len(snap.Caches))
	}
	if o, _ := snap.Cache(OverflowCache); o.Hits != 10 {
		t.Errorf("overflow hits = %d", o.Hits)
	}
}

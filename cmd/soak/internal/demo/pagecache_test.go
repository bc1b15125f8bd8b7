package demo

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/soaklab/soak/probe"
)

func TestPageCacheLRU(t *testing.T) {
	p := probe.New()
	c := newPageCache(3, time.Minute, p, "t")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		c.put(fmt.Sprint(i), []byte("page"+fmt.Sprint(i)), t0)
		if i == 2 { // touch 0 so that 1 is the least recently used
			if _, ok := c.get("0", t0); !ok {
				t.Fatal("0 missing")
			}
		}
	}
	if c.len() != 3 {
		t.Fatalf("len %d, want 3", c.len())
	}
	for key, want := range map[string]bool{"0": true, "1": false, "2": false, "3": true, "4": true} {
		if _, ok := c.get(key, t0); ok != want {
			t.Errorf("get(%s) present=%v, want %v", key, ok, want)
		}
	}
	if _, ok := c.get("4", t0.Add(time.Minute+1)); ok {
		t.Error("entry served after its TTL")
	}
	c.put("4", []byte("new page 4"), t0.Add(2*time.Minute))
	if page, ok := c.get("4", t0.Add(2*time.Minute)); !ok || string(page) != "new page 4" {
		t.Errorf("refreshed entry: %q %v", page, ok)
	}
	snap, err := p.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := snap.Cache("t")
	want := probe.CacheSnapshot{Name: "t", Kind: probe.CacheInProcess, Hits: 5, Misses: 3, Evictions: 2,
		Entries: 3, CapacityEntries: 3, UsedBytes: int64(len("page0page3new page 4")), HitRatio: 5.0 / 8}
	if cs != want {
		t.Errorf("recorder\n got  %+v\n want %+v", cs, want)
	}
}

// TestPageCacheStaysAtCapacity drives a clean service through more
// distinct story pages than its cache holds, twice: the cache fills to
// capacity and stays there, which is the plateau issue 6's detectors must
// not call a leak.
func TestPageCacheStaysAtCapacity(t *testing.T) {
	const capacity = 100
	s, c := startService(t, Config{PageCacheSize: capacity, RateLimitPerMinute: -1})
	entries := func() int64 {
		snap, err := s.Probe().Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		cs, ok := snap.Cache(pageCacheName)
		if !ok || cs.CapacityEntries != capacity {
			t.Fatalf("cache %+v", cs)
		}
		return cs.Entries
	}
	var filled []int64
	for round := range 3 {
		for i := 1; i <= 3*capacity; i++ {
			expect(t, c.do("GET", "/api/stories/"+StorySlug(round*3*capacity+i), nil), http.StatusOK)
			if round == 0 && i == capacity/2 {
				if n := entries(); n != capacity/2 {
					t.Errorf("after %d distinct pages: %d entries", i, n)
				}
			}
		}
		filled = append(filled, entries())
	}
	for i, n := range filled {
		if n != capacity {
			t.Errorf("round %d: %d entries, want %d", i, n, capacity)
		}
	}
	if s.api.pages.len() != capacity {
		t.Errorf("cache len %d", s.api.pages.len())
	}
}

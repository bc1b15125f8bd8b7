package probe_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/soaklab/soak/probe"
)

// lru stands for a cache of the service that the probe does not wrap.
type lru struct {
	mu    sync.Mutex
	items map[string][]byte
	bytes int64
	max   int
}

func ExampleProbe_CacheFunc() {
	p := probe.New()
	pages := &lru{items: map[string][]byte{"a": make([]byte, 300), "b": make([]byte, 500)}, bytes: 800, max: 5000}
	// Declared once at start-up; read at each snapshot.
	p.CacheFunc("story-pages", func() probe.CacheSnapshot {
		pages.mu.Lock()
		defer pages.mu.Unlock()
		return probe.CacheSnapshot{Entries: int64(len(pages.items)), CapacityEntries: int64(pages.max), UsedBytes: pages.bytes}
	})

	snap, _ := p.Snapshot(context.Background())
	c, _ := snap.Cache("story-pages")
	fmt.Printf("%d of %d entries, %d bytes\n", c.Entries, c.CapacityEntries, c.UsedBytes)
	// Output: 2 of 5000 entries, 800 bytes
}

package demo

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/soaklab/soak/probe"
)

// TestProbeConfigInMemory: the demo on in-memory storage tells its probe
// it has no database and no Redis, typed (Without) and in the generic keys
// reports read, and
// its default probe samples the heap at least every 16 KiB.
func TestProbeConfigInMemory(t *testing.T) {
	s, _ := startService(t, Config{})
	snap, err := s.Probe().Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		probe.ConfigDatabase:  "none: data in memory",
		probe.ConfigRedis:     "none: story pages cached in process",
		probe.ConfigCacheSize: "250 entries (story pages, in-process LRU, TTL 1 min)",
		ConfigFaults:          "none",
	} {
		if got := snap.Config[key]; got != want {
			t.Errorf("config %s = %q, want %q", key, got, want)
		}
	}
	for c, want := range map[probe.Component]string{probe.Database: "data in memory", probe.Redis: "story pages cached in process"} {
		if why, absent := snap.Absent(c); !absent || why != want || !slices.Contains(snap.Without, probe.Absence{Component: c, Why: want}) {
			t.Errorf("the in-memory demo does not declare, typed, that it has no %s: %q %v in %+v", c, why, absent, snap.Without)
		}
	}
	// This package's TestMain samples every 4 KiB; the demo's probe never
	// coarsens a finer rate, and its own is 16 KiB.
	if r := snap.Runtime.HeapProfileRateBytes; r <= 0 || r > HeapProfileRate || r != runtime.MemProfileRate {
		t.Errorf("heap profile rate %d, want at most %d", r, HeapProfileRate)
	}
}

func TestTTLText(t *testing.T) {
	for d, want := range map[time.Duration]string{time.Minute: "1 min", 90 * time.Second: "90 s", 1500 * time.Millisecond: "1.5s"} {
		if got := ttlText(d); got != want {
			t.Errorf("ttlText(%v) = %q, want %q", d, got, want)
		}
	}
}

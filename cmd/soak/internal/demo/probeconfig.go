package demo

import (
	"fmt"
	"strings"
	"time"

	"github.com/soaklab/soak/probe"
)

// reportConfig tells the probe the configuration a report shows.
func (s *Service) reportConfig() {
	p, cfg := s.cfg.Probe, s.cfg
	p.SetConfig(probe.ConfigRequestTimeout, cfg.RequestTimeout.String())
	p.SetConfig(probe.ConfigCacheSize, fmt.Sprintf("%d entries (story pages, in-process LRU, TTL %s)",
		cfg.PageCacheSize, ttlText(cfg.PageCacheTTL)))
	p.SetConfig(probe.ConfigWorkers, fmt.Sprintf("%d goroutines (whisper delivery, started on the first whisper)",
		cfg.WhisperWorkers))
	db, rd := "postgres (pgxpool)", "redis (go-redis: read-through cache of trending and story pages)"
	if s.api.storage == "memory" {
		db = "none: data in memory"
	}
	if s.api.cache == "none" {
		rd = "none: story pages cached in process"
	}
	p.SetConfig(probe.ConfigDatabase, db)
	p.SetConfig(probe.ConfigRedis, rd)
	faults := "none"
	if len(cfg.Faults) > 0 {
		faults = strings.Join(cfg.Faults, ", ")
	}
	p.SetConfig(ConfigFaults, faults)
}

// ttlText is a TTL as the report shows it: "1 min", "90 s", "1.5s".
func ttlText(d time.Duration) string {
	switch {
	case d%time.Minute == 0:
		return fmt.Sprintf("%d min", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%d s", d/time.Second)
	}
	return d.String()
}

// ConfigFaults is the demo's own probe configuration key, beside the
// probe.Config* keys it also sets (probe.ConfigDatabase and
// probe.ConfigRedis say "none: ..." for in-memory storage and no Redis).
const ConfigFaults = "demo_faults" // "none" or the planted faults, "heap-leak, conn-leak"

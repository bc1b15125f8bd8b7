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
	if s.api.storage == "memory" {
		s.declareWithout(probe.Database, "data in memory")
	} else {
		p.SetConfig(probe.ConfigDatabase, "postgres (pgxpool)")
	}
	if s.api.cache == "none" {
		s.declareWithout(probe.Redis, "story pages cached in process")
	} else {
		p.SetConfig(probe.ConfigRedis, "redis (go-redis: read-through cache of trending and story pages)")
	}
	faults := "none"
	if len(cfg.Faults) > 0 {
		faults = strings.Join(cfg.Faults, ", ")
	}
	p.SetConfig(ConfigFaults, faults)
}

// declareWithout tells the probe the demo has no c. It cannot fail for the
// two components and constant reasons the demo declares; if it did, the
// demo logs it and serves on: the report would only ask for the missing
// integration.
func (s *Service) declareWithout(c probe.Component, why string) {
	if err := s.cfg.Probe.Without(c, why); err != nil {
		s.cfg.Logger.Error("demo: declaring to the probe", "err", err)
	}
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
// probe.Config* keys it also sets (for in-memory storage and no Redis it
// declares probe.Without, which says "none: ..." under probe.ConfigDatabase
// and probe.ConfigRedis too).
const ConfigFaults = "demo_faults" // "none" or the planted faults, "heap-leak, conn-leak"

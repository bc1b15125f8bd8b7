package probe

import (
	"strings"
	"sync"

	"github.com/soaklab/soak/internal/redact"
)

// Well-known configuration keys, shown in the report's Configuration
// section. Values are free text as the service states them.
const (
	// ConfigRateLimit is the rate-limit policy as text, e.g. "100 req/min
	// per user (else per ip), burst 100": what [Probe.DeclareRateLimit]
	// (and soak's middleware through it) writes beside the typed policy in
	// Snapshot.RateLimits, which readers should prefer.
	ConfigRateLimit      = "rate_limit"
	ConfigRequestTimeout = "request_timeout" // e.g. "30s"
	ConfigDBPoolMax      = "db_pool_max"     // e.g. "25" (set by probe/pgxprobe from the pool)
	ConfigCacheSize      = "cache_size"      // e.g. "2000 entries"
	ConfigRedisMaxMemory = "redis_maxmemory" // e.g. "256mb" (from INFO when not set)
	ConfigWorkers        = "workers"         // e.g. "8 goroutines"
	ConfigServerTimeouts = "server_timeouts" // e.g. "read 5s, write 10s, idle 60s"
	ConfigVersion        = "service_version" // e.g. "v1.4.2"
	// ConfigDatabase and ConfigRedis say, in words, what the service keeps
	// its data and caches in; [Probe.Without] declares that it has none
	// (and writes "none: WHY" here for people).
	ConfigDatabase = "database" // e.g. "postgres (pgxpool)", "none: data in memory"
	ConfigRedis    = "redis"    // e.g. "cache (go-redis)", "none: pages cached in process"
)

const (
	maxConfigKeys  = 64
	maxConfigKey   = 64
	maxConfigValue = 256
)

type configStore struct {
	mu  sync.Mutex
	max int
	m   map[string]string
}

// SetConfig records a configuration value worth reporting, under one of the
// Config* keys or a key of the service's own (at most 64 keys of 64 bytes,
// values of 256 bytes; longer values are cut with "..."; keys beyond the
// limit are ignored and SetConfig returns false). An empty value deletes
// the key.
//
// Secrets are never stored: a key naming a password, secret, token, key or
// DSN stores "REDACTED", and a URL's password is replaced by
// "REDACTED".
func (p *Probe) SetConfig(key, value string) bool {
	p.init()
	key = strings.TrimSpace(key)
	if key == "" || len(key) > maxConfigKey {
		return false
	}
	c := &p.config
	c.mu.Lock()
	defer c.mu.Unlock()
	if value == "" {
		delete(c.m, key)
		return true
	}
	if _, ok := c.m[key]; !ok && len(c.m) >= c.max {
		return false
	}
	if c.m == nil {
		c.m = make(map[string]string)
	}
	c.m[key] = cleanConfigValue(key, value)
	return true
}

// Config returns a copy of the configuration values set so far.
func (p *Probe) Config() map[string]string {
	p.init()
	c := &p.config
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]string, len(c.m))
	for k, v := range c.m {
		out[k] = v
	}
	return out
}

// SetConfigDefault is [Probe.SetConfig] unless key is already set, in
// which case it keeps the value and returns false: integrations report what
// they find (a pool's MaxConns, Redis's maxmemory) without overriding what
// the service stated.
func (p *Probe) SetConfigDefault(key, value string) bool {
	p.init()
	c := &p.config
	c.mu.Lock()
	_, ok := c.m[key]
	c.mu.Unlock()
	return !ok && p.SetConfig(key, value)
}

func cleanConfigValue(key, value string) string {
	if redact.NamesSecret(key) {
		return redact.Mark
	}
	return cleanValue(value)
}

// cleanValue removes secrets from a value and cuts it to 256 bytes, with
// "..." when cut.
func cleanValue(value string) string {
	value = redact.Text(value)
	if len(value) > maxConfigValue {
		value = value[:maxConfigValue-3] + "..."
	}
	return value
}

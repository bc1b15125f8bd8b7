package demo

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/soaklab/soak/probe"
)

// Defaults of [Config] fields left zero.
const (
	DefaultSchema             = "soak_demo"
	DefaultRateLimitPerMinute = 100
	DefaultPageCacheSize      = 250
	DefaultPageCacheTTL       = time.Minute
	DefaultPoolMaxConns       = 16
	DefaultRequestTimeout     = 30 * time.Second
	DefaultWhisperWorkers     = 4
	// HeapProfileRate is the heap sampling interval of the demo's own
	// probe (probe.WithHeapProfileRate): one sampled allocation per
	// 16 KiB, not the runtime's 512 KiB, so that the heap diff of a
	// 2-minute soak rests on hundreds of samples.
	HeapProfileRate = 16 << 10
)

// Config configures a demo [Service]. The zero value is valid: in-memory
// storage, no Redis, no fault, and the defaults above.
type Config struct {
	// DatabaseURL is a PostgreSQL URL ("postgres://user@127.0.0.1:5432/db").
	// Empty: the data lives in memory. Its password never appears in an
	// error or a log.
	DatabaseURL string
	// RedisURL is a Redis URL ("redis://127.0.0.1:6379/0"). Empty: no Redis;
	// the in-process page cache still works.
	RedisURL string
	// Schema is the PostgreSQL schema holding the demo's tables, created if
	// absent, and the prefix of its Redis keys (Schema + ":"). Default
	// "soak_demo"; 1 to 48 of a-z, 0-9 and _, starting with a letter or _.
	Schema string
	// Faults names the defects to plant; see [FaultNames]. Default none.
	Faults []string
	// RateLimitPerMinute is the per-user limit: requests per minute per
	// authenticated user (per client IP when anonymous). 0 means
	// DefaultRateLimitPerMinute (100); -1 turns the limiter off.
	RateLimitPerMinute int
	// PageCacheSize is the capacity, in story pages, of the in-process LRU.
	// Default 250: five sixths of the 300-story hot set that trending
	// samples from, so that the cache fills early in a soak of the seed
	// scenario (within about 30 s at 200 users) and then stays full, while
	// it serves about 80 % of the story reads, above the seed's 70 %
	// target.
	PageCacheSize int
	// PageCacheTTL is how long a cached page is served before it is
	// rendered again. Default one minute.
	PageCacheTTL time.Duration
	// PoolMaxConns is the PostgreSQL pool's size. 0 means the URL's
	// pool_max_conns if it has one, else DefaultPoolMaxConns (16). The
	// pool-exhausted fault lowers it to ExhaustedPoolMaxConns (4).
	PoolMaxConns int32
	// RequestTimeout bounds every request's context; a request that runs
	// out answers 503. Default 30 s.
	RequestTimeout time.Duration
	// WhisperWorkers is the number of goroutines that deliver whispers,
	// started on the first POST /api/whispers. Default 4.
	WhisperWorkers int
	// Probe records the service's figures. Default: a fresh
	// probe.New(probe.WithHeapProfileRate(HeapProfileRate)), which makes
	// the whole process (soak too, when `soak demo` runs the service in
	// process) sample heap allocations every 16 KiB. A probe passed here
	// keeps its own choice.
	Probe *probe.Probe
	// Logger receives warnings (Redis failures, 5xx causes). Default: none.
	Logger *slog.Logger

	// clock replaces time.Now for tokens, the page cache and the rate
	// limiter (tests only).
	clock func() time.Time
}

// ErrConfig is wrapped by every error [New] returns for a bad Config; the
// message names the field.
var ErrConfig = errors.New("demo: bad config")

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,47}$`)

// withDefaults checks c and fills its zero fields.
func (c Config) withDefaults() (Config, error) {
	bad := func(field, format string, args ...any) (Config, error) {
		return c, fmt.Errorf("%w: %s: %s", ErrConfig, field, fmt.Sprintf(format, args...))
	}
	if c.Schema == "" {
		c.Schema = DefaultSchema
	}
	if !schemaName.MatchString(c.Schema) {
		return bad("Config.Schema", "%q is not 1 to 48 of a-z, 0-9 and _ starting with a letter or _", c.Schema)
	}
	switch {
	case c.RateLimitPerMinute == 0:
		c.RateLimitPerMinute = DefaultRateLimitPerMinute
	case c.RateLimitPerMinute < -1:
		return bad("Config.RateLimitPerMinute", "%d is negative (use -1 to turn the limiter off)", c.RateLimitPerMinute)
	}
	type positive struct {
		name string
		v    int64
	}
	for _, p := range []positive{
		{"Config.PageCacheSize", int64(c.PageCacheSize)},
		{"Config.PageCacheTTL", int64(c.PageCacheTTL)},
		{"Config.PoolMaxConns", int64(c.PoolMaxConns)},
		{"Config.RequestTimeout", int64(c.RequestTimeout)},
		{"Config.WhisperWorkers", int64(c.WhisperWorkers)},
	} {
		if p.v < 0 {
			return bad(p.name, "must not be negative")
		}
	}
	if c.PageCacheSize == 0 {
		c.PageCacheSize = DefaultPageCacheSize
	}
	if c.PageCacheTTL == 0 {
		c.PageCacheTTL = DefaultPageCacheTTL
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.WhisperWorkers == 0 {
		c.WhisperWorkers = DefaultWhisperWorkers
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	if c.Probe == nil {
		c.Probe = probe.New(probe.WithHeapProfileRate(HeapProfileRate))
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// redact removes secret from msg: a URL's password, or the whole URL when
// it cannot be parsed, so that no error of New shows a credential.
func redact(msg string, secrets ...string) string {
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "xxxxx")
		}
	}
	return msg
}

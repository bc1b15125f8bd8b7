package redisprobe

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/soaklab/soak/probe"

	"github.com/soaklab/soak/probe/internal/poll"
)

// The numeric INFO fields read, by name.
var (
	infoUints = map[string]func(*probe.RedisServerInfo) *uint64{
		"keyspace_hits":            func(s *probe.RedisServerInfo) *uint64 { return &s.KeyspaceHits },
		"keyspace_misses":          func(s *probe.RedisServerInfo) *uint64 { return &s.KeyspaceMisses },
		"evicted_keys":             func(s *probe.RedisServerInfo) *uint64 { return &s.EvictedKeys },
		"expired_keys":             func(s *probe.RedisServerInfo) *uint64 { return &s.ExpiredKeys },
		"rejected_connections":     func(s *probe.RedisServerInfo) *uint64 { return &s.RejectedConns },
		"total_commands_processed": func(s *probe.RedisServerInfo) *uint64 { return &s.CommandsTotal },
	}
	infoInts = map[string]func(*probe.RedisServerInfo) *int64{
		"used_memory":       func(s *probe.RedisServerInfo) *int64 { return &s.UsedMemory },
		"maxmemory":         func(s *probe.RedisServerInfo) *int64 { return &s.MaxMemoryBytes },
		"connected_clients": func(s *probe.RedisServerInfo) *int64 { return &s.ConnectedClients },
		"blocked_clients":   func(s *probe.RedisServerInfo) *int64 { return &s.BlockedClients },
	}
)

// parseRedisInfo reads the fields of probe.RedisServerInfo from an INFO reply.
// Unknown fields are ignored; a known numeric field that does not parse is
// an error naming its line.
func parseRedisInfo(text string) (probe.RedisServerInfo, error) {
	var s probe.RedisServerInfo
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for line := 1; sc.Scan(); line++ {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		var err error
		switch {
		case k == "redis_version":
			s.Version = v
		case k == "maxmemory_policy":
			s.MaxMemoryPolicy = v
		case infoUints[k] != nil:
			*infoUints[k](&s), err = strconv.ParseUint(v, 10, 64)
		case infoInts[k] != nil:
			*infoInts[k](&s), err = strconv.ParseInt(v, 10, 64)
		}
		if err != nil {
			return s, fmt.Errorf("redis INFO line %d: %s: %q is not a number", line, k, v)
		}
	}
	if err := sc.Err(); err != nil {
		return s, fmt.Errorf("redis INFO: %w", err)
	}
	return s, nil
}

// infoPoller polls the server's INFO. For a *redis.Client it sends INFO
// through a client of its own (the client's Options, one connection, no
// hooks), as pgxprobe reads pg_stat_activity through its own connection:
// through the service's client, INFO would wait for a pool connection
// when the pool is exhausted, which is when soak most needs a snapshot
// (the probe's snapshot then missed soak's deadline at every poll), would
// take one of the service's connections from it, and would count among
// the service's commands. A cluster, ring or other UniversalClient sends
// INFO through itself, bounded by the poll's timeout.
type infoPoller struct {
	poll.Poller[probe.RedisServerInfo]
	own *redis.Client // under Poller.Mu; made on the first poll of a *redis.Client
}

func (ip *infoPoller) poll(ctx context.Context, c redis.UniversalClient, now time.Time, every time.Duration) (*probe.RedisServerInfo, string) {
	return ip.Poller.Poll(ctx, now, every, "INFO", func(ctx context.Context) (*probe.RedisServerInfo, error) {
		text, err := ip.client(c).Info(ctx, "server", "clients", "memory", "stats").Result()
		if err != nil {
			if ip.own != nil {
				// Made anew at the next poll, as pgxprobe reconnects: a
				// client whose dial failed keeps a goroutine retrying it.
				_ = ip.own.Close()
				ip.own = nil
			}
			return nil, err
		}
		s, err := parseRedisInfo(text)
		s.Time = now
		return &s, err
	})
}

// client returns what INFO goes through (see infoPoller). Called under
// Poller.Mu.
func (ip *infoPoller) client(c redis.UniversalClient) redis.UniversalClient {
	rc, ok := c.(*redis.Client)
	if !ok {
		return c
	}
	if ip.own == nil {
		o := *rc.Options()
		o.PoolSize, o.MaxActiveConns, o.MinIdleConns, o.MaxIdleConns = 1, 1, 0, 1
		o.Limiter = nil // the service's circuit breaker is not the probe's
		// Nor its maintenance notifications: their config is a pointer the
		// client registers handlers on, and one connection for INFO needs
		// no hand-off workers.
		o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
		ip.own = redis.NewClient(&o)
	}
	return ip.own
}

// close closes the probe's own client, if it made one; a later poll makes
// another.
func (ip *infoPoller) close() error {
	ip.Mu.Lock()
	defer ip.Mu.Unlock()
	if ip.own == nil {
		return nil
	}
	err := ip.own.Close()
	ip.own = nil
	return err
}

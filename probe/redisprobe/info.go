package redisprobe

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

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

type infoPoller struct {
	poll.Poller[probe.RedisServerInfo]
}

func (ip *infoPoller) poll(ctx context.Context, c redis.UniversalClient, now time.Time, every time.Duration) (*probe.RedisServerInfo, string) {
	return ip.Poller.Poll(ctx, now, every, "INFO", func(ctx context.Context) (*probe.RedisServerInfo, error) {
		text, err := c.Info(ctx, "server", "clients", "memory", "stats").Result()
		if err != nil {
			return nil, err
		}
		s, err := parseRedisInfo(text)
		s.Time = now
		return &s, err
	})
}

package probe

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisServerInfo is the server's view from INFO, polled at most once per
// poll interval. Keyspace and eviction counts are cumulative since the
// server started (shared by every client of that server).
type RedisServerInfo struct {
	// Time is when the server was asked.
	Time           time.Time `json:"time"`
	Version        string    `json:"version"`
	KeyspaceHits   uint64    `json:"keyspace_hits"`
	KeyspaceMisses uint64    `json:"keyspace_misses"`
	EvictedKeys    uint64    `json:"evicted_keys"`
	ExpiredKeys    uint64    `json:"expired_keys"`
	UsedMemory     int64     `json:"used_memory_bytes"`
	// MaxMemoryBytes is 0 when the server has no maxmemory (unbounded).
	MaxMemoryBytes   int64  `json:"max_memory_bytes"`
	MaxMemoryPolicy  string `json:"max_memory_policy"`
	ConnectedClients int64  `json:"connected_clients"`
	BlockedClients   int64  `json:"blocked_clients"`
	RejectedConns    uint64 `json:"rejected_connections"`
	CommandsTotal    uint64 `json:"total_commands_processed"`
}

// parseRedisInfo reads the fields of RedisServerInfo from an INFO reply.
// Unknown fields are ignored; a known numeric field that does not parse is
// an error naming its line.
func parseRedisInfo(text string) (RedisServerInfo, error) {
	var s RedisServerInfo
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for line := 1; sc.Scan(); line++ {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		var err error
		switch k {
		case "redis_version":
			s.Version = v
		case "maxmemory_policy":
			s.MaxMemoryPolicy = v
		case "keyspace_hits":
			s.KeyspaceHits, err = strconv.ParseUint(v, 10, 64)
		case "keyspace_misses":
			s.KeyspaceMisses, err = strconv.ParseUint(v, 10, 64)
		case "evicted_keys":
			s.EvictedKeys, err = strconv.ParseUint(v, 10, 64)
		case "expired_keys":
			s.ExpiredKeys, err = strconv.ParseUint(v, 10, 64)
		case "rejected_connections":
			s.RejectedConns, err = strconv.ParseUint(v, 10, 64)
		case "total_commands_processed":
			s.CommandsTotal, err = strconv.ParseUint(v, 10, 64)
		case "used_memory":
			s.UsedMemory, err = strconv.ParseInt(v, 10, 64)
		case "maxmemory":
			s.MaxMemoryBytes, err = strconv.ParseInt(v, 10, 64)
		case "connected_clients":
			s.ConnectedClients, err = strconv.ParseInt(v, 10, 64)
		case "blocked_clients":
			s.BlockedClients, err = strconv.ParseInt(v, 10, 64)
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
	mu   sync.Mutex
	last *RedisServerInfo
	err  string
	at   time.Time
}

func (ip *infoPoller) poll(ctx context.Context, c redis.UniversalClient, now time.Time, every time.Duration) (*RedisServerInfo, string) {
	ip.mu.Lock()
	defer ip.mu.Unlock()
	if !ip.at.IsZero() && now.Sub(ip.at) < every {
		return ip.last, ip.err
	}
	ip.at = now
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	text, err := c.Info(ctx, "server", "clients", "memory", "stats").Result()
	if err == nil {
		var s RedisServerInfo
		if s, err = parseRedisInfo(text); err == nil {
			s.Time = now
			ip.last, ip.err = &s, ""
			return ip.last, ""
		}
	}
	ip.err = "INFO: " + errString(err)
	return ip.last, ip.err
}

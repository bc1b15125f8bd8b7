package redisprobe

import (
	"strings"
	"testing"

	"github.com/soaklab/soak/probe"
)

func TestParseRedisInfo(t *testing.T) {
	text := "# Server\r\nredis_version:7.2.4\r\n# Clients\r\nconnected_clients:3\r\nblocked_clients:0\r\n" +
		"# Memory\r\nused_memory:1048576\r\nmaxmemory:268435456\r\nmaxmemory_policy:allkeys-lru\r\n" +
		"# Stats\r\nkeyspace_hits:70\r\nkeyspace_misses:30\r\nevicted_keys:5\r\nexpired_keys:2\r\nrejected_connections:0\r\ntotal_commands_processed:900\r\n"
	s, err := parseRedisInfo(text)
	if err != nil {
		t.Fatal(err)
	}
	want := probe.RedisServerInfo{Version: "7.2.4", ConnectedClients: 3, UsedMemory: 1 << 20, MaxMemoryBytes: 256 << 20,
		MaxMemoryPolicy: "allkeys-lru", KeyspaceHits: 70, KeyspaceMisses: 30, EvictedKeys: 5, ExpiredKeys: 2, CommandsTotal: 900}
	if s != want {
		t.Errorf("got %+v\nwant %+v", s, want)
	}
	_, err = parseRedisInfo("# Stats\nkeyspace_hits:lots\n")
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "keyspace_hits") {
		t.Errorf("bad number: %v", err)
	}
}

func FuzzParseRedisInfo(f *testing.F) {
	f.Add("# Stats\r\nkeyspace_hits:1\r\n")
	f.Add("used_memory:-1\nmaxmemory:x")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = parseRedisInfo(s)
	})
}

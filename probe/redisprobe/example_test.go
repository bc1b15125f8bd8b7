package redisprobe_test

import (
	"github.com/redis/go-redis/v9"

	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/redisprobe"
)

// Wiring a go-redis client (compiled, not run: it needs a Redis server).
func ExampleNew() {
	p := probe.New()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	redisprobe.New(p, "cache", rdb) // adds the hook; before rdb is shared
	// From now on rdb.Get counts a hit or a miss in the probe's "cache"
	// entry, and every command its latency.
}

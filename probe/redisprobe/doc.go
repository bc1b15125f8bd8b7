// Package redisprobe instruments a go-redis v9 client for a soak probe
// through its hooks: per command, calls, errors and latency; cache reads
// (GET, MGET, HGET, ...) as hits and misses in the probe's cache entry of
// kind probe.CacheRedis; the client's PoolStats and the server's INFO at
// every snapshot, as the Redis section of probe.Snapshot; PubSub
// connections from dial to close, for the probe's leak registry. It lives
// apart from the probe so that a service that does not use go-redis does
// not import it.
//
//	p := probe.New()
//	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
//	redisprobe.New(p, "cache", rdb) // adds the hook; before rdb is shared
//
// The hook is safe for concurrent use and never panics into go-redis: a
// panic inside it is recovered and counted (RedisSnapshot.HookPanics).
package redisprobe

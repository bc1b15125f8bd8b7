// Package demo is soak's built-in demo service: the target of `soak demo`,
// a small story-sharing API (echo v4) that implements the ten endpoints of
// the seed report's table, with soak's probe and middleware wired in as
// docs/probe.md and docs/middleware.md tell users to, and with defects that
// can be planted on purpose to learn what soak finds.
//
//	svc, err := demo.New(ctx, demo.Config{Faults: []string{demo.FaultHeapLeak}})
//	if err != nil { ... }
//	srv, err := demo.Listen(svc, "127.0.0.1:8000", "127.0.0.1:8001")
//	if err != nil { ... }
//	// soak run --host srv.URL() --probe srv.AdminURL() ...
//	srv.Shutdown(ctx) // then
//	svc.Close(ctx)
//
// # Storage
//
// In memory by default (nothing to install). With Config.DatabaseURL, in
// PostgreSQL through one pgxpool, in the schema Config.Schema (default
// "soak_demo"), created with its indexes and seed data on first start and
// left alone after (idempotent, safe for concurrent starts). With
// Config.RedisURL, Redis is a read-through cache of the trending list (TTL
// 10 s) and of story pages (TTL 5 min), keys prefixed with "<schema>:".
// Both storages serve the same seed data: the same request gives the same
// answer, except for search ranking.
//
// # Seed data
//
//   - Users user0001 .. user1000 ([SeedUsername]), all with the password
//     "soak-demo" ([SeedPassword]); user N is "Demo User N".
//   - Stories story-0001 .. story-5000 ([StorySlug]); user N wrote stories
//     N, N+1000, N+2000, N+3000 and N+4000.
//   - Each user has three shelves, "Reading", "Want to read" and
//     "Finished", with up to three stories each (different per user).
//   - Search words: story bodies draw from a fixed vocabulary, common words
//     first. "the", "night" or "harbor" match most stories; "lighthouse",
//     "dragon" or "violin" about a thousand; "palimpsest" or "reliquary"
//     about 600. Bodies are 500 to 1,000 words.
//
// # Endpoints
//
// Requests and responses are JSON. Every error is {"error": "message"}
// with its status; a 400 names the field at fault ("title: required").
// Authenticated routes need "Authorization: Bearer <token>" from the
// login and answer 401 (with WWW-Authenticate) without a valid one.
// Request bodies are at most 64 KiB (413), must be application/json (415)
// and may not carry unknown fields (400).
//
//	GET  /health                 200 {"status":"ok","service":"soak-demo"}
//	GET  /health/ready           200 {"status":"ready","storage":"memory"|"postgres","cache":"none"|"redis"}
//	                             503 {"status":"unavailable",...,"error":"..."} when storage does not answer
//	POST /api/auth/login         {"username":"user0001","password":"soak-demo"}
//	                             200 {"token":"v1....","expires_at":"...","user":{...}}; 401 bad credentials
//	GET  /api/users/me           auth; 200 {"id":1,"username":"user0001","display_name":"Demo User 1",
//	                             "story_count":5,"created_at":"..."}
//	GET  /api/discovery/trending 200 {"stories":[20 of the 300 best-scored, best first, sampled anew
//	                             on every request],"picks":[10 random seeded stories]}
//	GET  /api/stories/:slug      200 {"slug","title","author","tags":[...],"score","whisper_count",
//	                             "published_at","body","related":[up to 5 slugs sharing a tag]}; 404
//	GET  /api/stories/mine       auth; 200 {"stories":[the user's 20 newest]}
//	POST /api/stories            auth; {"title":"1-200 chars","body":"1-20000 bytes","tags":["a-z0-9-",...≤5]}
//	                             201 the story (slug "<title words>-<id>"), Location /api/stories/<slug>
//	GET  /api/library/shelves    auth; 200 {"shelves":[{"id","name","stories":[{"slug","title","author"}]}]}
//	GET  /api/search/stories?q=  200 {"query":"...","stories":[up to 20 containing every word]};
//	                             400 when q is missing, blank or over 100 characters
//	POST /api/whispers           auth; {"body":"1-280 chars","story":"optional slug"}
//	                             201 {"id","body","story","author","created_at"}; 404 unknown story
//
// Lists hold story summaries: every field of a story page but body and
// related. For a scenario, capture the token with $.token at login, and
// slugs with $.stories[0].slug from trending (a sample of the hot set,
// different on every request), $.picks[0].slug (any of the 5,000) or
// $.shelves[0].stories[0].slug from shelves.
//
// # Rate limit
//
// 100 requests per minute per authenticated user (burst 100), per client
// address for anonymous requests (Config.RateLimitPerMinute; -1 turns it
// off); /health and /health/ready are exempt. A denied request gets 429
// with Retry-After, RateLimit-* fields and {"error":"Rate limit
// exceeded",...}. Log each virtual user in as a different seeded user, or
// they share one budget. The client address is the peer's, or the
// X-Forwarded-For entry a loopback peer sends: anonymous virtual users on
// one machine share 127.0.0.1 unless each sends its own X-Forwarded-For.
//
// # Behaviour under a soak
//
// A clean service stays flat, but has what a naive leak detector mistakes
// for leaks: the LRU of rendered story pages (Config.PageCacheSize,
// default 250 pages of about 3 KiB) fills as the seed scenario opens
// trending's samples of the 300 hottest stories (within about 20 s of
// load at 200 users, the demo's default) and then stays at capacity,
// serving about 80 % of the story reads; the whisper delivery workers
// (Config.WhisperWorkers, default 4) start on the first POST /api/whispers
// and stay; the rate limiter keeps a bounded table of recent users; the
// memory store keeps only the newest 500 created stories and 2,000
// whispers. Every request's context ends after Config.RequestTimeout
// (default 30 s; 503).
//
// # Faults
//
// Config.Faults plants defects ([FaultNames] lists them):
//
//   - conn-leak (needs PostgreSQL): 1 GET /api/library/shelves in 50
//     acquires a pool connection in leakShelvesConnection and never
//     releases it, until half the pool (8 of 16) is held.
//   - goroutine-leak: 1 GET /api/discovery/trending in 10 starts a
//     goroutine blocked in awaitTrendingRefresh on a channel nobody closes.
//   - heap-leak: every GET /api/stories/:slug keeps an 8 KiB copy of the
//     page in rememberStoryView (about 140 KB/s, 14 MB in 2 minutes, under
//     the seed scenario at 100 users).
//   - pool-exhausted (needs PostgreSQL): the pool shrinks to 4 connections
//     and GET /api/search/stories holds its connection 500 ms after its
//     query (rankWhileHoldingConn): acquires wait under load, nothing
//     leaks, and it clears when load drops.
//   - rows-leak (needs PostgreSQL): 1 GET /api/library/shelves in 50 runs
//     a query in forgetShelvesRows and never closes its rows, until half
//     the pool is held: each leaked rows holds one connection.
//
// # Observability
//
// [Service.Probe] is the probe everything records into: every route by
// template (echo middleware, labels on every request), the pool (pgx tracer
// beside the demo's slow-query tracer through multitracer, Stat snapshots,
// pg_stat_activity), Redis (go-redis hook), the page cache ("story-pages")
// and the configuration (request timeout, pool max, cache size, rate limit,
// workers, database, redis, demo_faults; database and redis say "none: ..."
// when the demo keeps its data in memory and has no Redis, which reports
// show instead of asking for pgxprobe to be wired). [Listen] serves the probe's admin
// handler on its own loopback listener. The default probe samples heap
// allocations every 16 KiB ([HeapProfileRate], probe.WithHeapProfileRate)
// instead of the runtime's 512 KiB, for the whole process, so that the heap
// diff of a 2-minute soak (`soak demo --fault heap-leak`) locates
// rememberStoryView on hundreds of samples rather than a handful.
package demo

// Package e2e holds soak's minutes-long detection tests: the demo service
// (cmd/soak/internal/demo) on the real PostgreSQL and Redis, soaked in
// process with the seed scenario (docs/scenarios/seed.yaml) while
// engine/analysis polls its probe, once per planted fault and once clean.
// Each fault must be detected, named and located (the leaking function in
// the top suspect); the clean service, with its bounded page cache, lazily
// started whisper workers and rate limiter table, must get no leak
// verdict.
//
// The tests run only with SOAK_LONG=1 (as .ci/run sets it):
//
//	SOAK_LONG=1 go test -race -timeout 30m ./cmd/soak/internal/e2e
//
// They compress the seed's 30 minutes into about 80 seconds of load: the
// think time is cut tenfold (100-300 ms instead of 1-3 s) and the demo's
// per-user rate limit is raised tenfold with it (1,000 requests/min), so
// the limiter is on but a user at this pace stays below it, as a seed user
// does below 100 requests/min.
package e2e

package scenario

import "github.com/soaklab/soak/engine/scenario/internal/suggest"

// Suggest returns the name in known closest to got, for a "did you mean"
// hint, or "" when none is close: the same letters ignoring case, '-' and
// '_' (spawn-rate for spawn_rate), or within an edit distance (a swap of
// two neighbours counts 1) of a third of the name's length, at least 1
// (spwan_rate, retry_times). Ties go to the first name in sort order.
// soak's CLI uses it for its commands and flags too, so that a typo gets
// the same hint on the command line as in a scenario file.
func Suggest(got string, known []string) string { return suggest.Closest(got, known) }

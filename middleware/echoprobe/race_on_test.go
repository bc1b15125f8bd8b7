//go:build race

package echoprobe

// raceEnabled: the race detector's runtime allocates on its own, so
// allocation counts are not checked under -race.
const raceEnabled = true

//go:build !race

package echoprobe

const raceEnabled = false

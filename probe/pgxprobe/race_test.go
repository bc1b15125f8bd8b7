//go:build race

package pgxprobe

const raceEnabled = true

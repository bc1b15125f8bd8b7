// Package flagx holds the flag.Value types of soak's command line: Locust
// style durations ("30m", "1h30m", "90s", "90"), rates ("100", "100/s",
// "6000/m"), stages ("1m:50,2m:100" users or "1m:50/s" arrivals), waits
// (as a scenario file writes them: "1s-3s", "2s", "pacing 5s"),
// repeatable strings and secrets that never print.
//
// Every parser returns an error that says what was expected; flag.FlagSet
// adds the flag's name, so a bad value reads
//
//	invalid value "3x" for flag -duration: "3x": not a duration (use 90s, 30m, 1h30m, or seconds)
//
// Use them with flag.FlagSet.Var:
//
//	var d flagx.Duration
//	fs.Var(&d, "duration", "how long to load, e.g. 30m")
//	_ = fs.Parse([]string{"--duration", "1h30m"})
//	// d.D == 90 * time.Minute
//
// The values are plain data, not safe for concurrent mutation.
package flagx

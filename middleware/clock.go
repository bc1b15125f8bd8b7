package middleware

import "time"

// monoEpoch is the origin of monotonic() readings.
var monoEpoch = time.Now()

// monotonic returns the monotonic time since monoEpoch. It reads only the
// monotonic clock, which costs about half of time.Now (that reads the wall
// clock too): latencies need no wall time.
func monotonic() time.Duration { return time.Since(monoEpoch) }

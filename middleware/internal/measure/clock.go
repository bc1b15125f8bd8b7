package measure

import "time"

// monoEpoch is the origin of Monotonic readings.
var monoEpoch = time.Now()

// Monotonic returns the monotonic time since the package was loaded. It
// reads only the monotonic clock, which costs about half of time.Now (that
// reads the wall clock too): latencies need no wall time.
func Monotonic() time.Duration { return time.Since(monoEpoch) }

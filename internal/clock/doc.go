// Package clock holds the module's context-aware sleeps: a wait that a
// cancelled context ends at once, so no loop of soak ever delays a
// cancellation by a poll interval or a pacing gap.
//
//	for next := time.Now(); ; next = next.Add(interval) {
//		poll()
//		if !clock.SleepUntil(ctx, next.Add(interval)) {
//			return // ctx is done
//		}
//	}
//
// Both functions are safe for concurrent use; they start no goroutine.
package clock

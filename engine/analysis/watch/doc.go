// Package watch holds the live rules: while a run goes, a [Watcher] sees
// every probe sample as it arrives and raises a [Signal] when holds stay
// past the leak threshold, a pool at its max gives up acquires, or
// goroutines keep rising beyond what the requests in flight explain.
// engine/runner locates each signal and turns it into an early warning
// (capture.Warning); the post-run verdict is engine/analysis's.
//
//	w := watch.NewWatcher()
//	for s := range samples { // *capture.Sample, in arrival order
//		for _, sig := range w.Observe(s) {
//			fmt.Println(sig.Kind, sig.Source, sig.What)
//		}
//	}
//
// It starts no goroutine; a Watcher is not safe for concurrent use.
package watch

// Package cgocallback runs Go code inside a cgo callback, for the probe's
// tests of stack capture there: Go calls a C function, which calls an
// exported Go function back, as a service does when a C library (a
// driver, an event loop) calls its Go handlers. It needs cgo; without it
// the package is empty and the tests that use it do not build.
//
//	cgocallback.Call(func() {
//		conn, _ := pool.Acquire(ctx) // acquired inside the callback
//		defer conn.Release()
//	})
package cgocallback

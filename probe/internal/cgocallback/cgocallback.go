//go:build cgo

package cgocallback

/*
extern void goCallback(void);
static void callFromC(void) { goCallback(); }
*/
import "C"

import "sync"

var (
	mu sync.Mutex
	fn func()
)

//export goCallback
func goCallback() { fn() }

// Call runs f from C: Go calls C, and C calls f back. Calls are
// serialised; f must not call Call.
func Call(f func()) {
	mu.Lock()
	defer mu.Unlock()
	fn = f
	defer func() { fn = nil }()
	C.callFromC()
}

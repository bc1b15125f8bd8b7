package probe

// fpCallers fills pcs with the return addresses of the caller's callers by
// walking frame pointers (as the runtime's execution tracer does): tens of
// nanoseconds for a stack that runtime.Callers takes microseconds to
// unwind. The first entry is the return address into the caller's caller.
// It returns the number of entries filled.
//
//go:noescape
func fpCallers(pcs []uintptr) int

const haveFPCallers = true

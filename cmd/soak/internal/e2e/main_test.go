package e2e

import (
	"runtime"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// Sample the heap every 16 KiB instead of 512 KiB, so that the heap
	// profiles' diff (which the memory detector uses to tell the service's
	// growth from soak's own and from pools filling) rests on hundreds of
	// samples, not a handful, in a run of a minute.
	runtime.MemProfileRate = 16 << 10
	goleak.VerifyTestMain(m)
}

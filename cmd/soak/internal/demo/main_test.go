package demo

import (
	"runtime"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// Sample the heap every 4 KiB instead of 512 KiB, so the heap-leak
	// test reads the leaking function's bytes precisely, not from a handful
	// of samples.
	runtime.MemProfileRate = 4096
	goleak.VerifyTestMain(m)
}

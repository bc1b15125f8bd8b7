package probe

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv("SOAK_PROBE_LEAK_CHILD") == "1" {
		// The child of TestGoroutineLeakProfile leaks a goroutine on
		// purpose, for the goroutineleak profile to find.
		os.Exit(m.Run())
	}
	goleak.VerifyTestMain(m)
}

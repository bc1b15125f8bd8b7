package runner

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// blockForever's goroutines are leaked on purpose and cannot be ended.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/soaklab/soak/engine/runner.blockForever"))
}

package web

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func writeFile(name, s string) error { return os.WriteFile(name, []byte(s), 0o600) }

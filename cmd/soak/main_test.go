package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

// soakBin is the soak binary the subprocess tests run, built once.
var soakBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "soak-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	soakBin = filepath.Join(dir, "soak")
	if out, err := exec.Command("go", "build", "-o", soakBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building soak: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		os.RemoveAll(dir)
		os.Exit(code)
	}))
}

// lockedBuffer is a strings.Builder safe for the concurrent writes of the
// live progress and the command.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// inProcess runs soak's main in this process with env as its environment.
func inProcess(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb lockedBuffer
	c := &cli{stdout: &out, stderr: &errb, getenv: func(k string) string { return env[k] },
		argv: append([]string{"soak"}, args...)}
	code = c.main(context.Background(), args)
	return code, out.String(), errb.String()
}

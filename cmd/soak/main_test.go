package main

import (
	"context"
	"flag"
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

// parallel is how many of this package's parallel tests run at once
// when -parallel is not given (go test's default is GOMAXPROCS: 2 on a
// 2-core machine). They mostly wait, on subprocesses that soak light
// loads for seconds, on timers and on signals, so more of them at once
// shortens the package's run without starving them of CPU; the tests
// that soak in this process stay serial.
const parallel = 6

func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", fmt.Sprint(parallel))
	}
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

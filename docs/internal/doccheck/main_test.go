package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"go.uber.org/goleak"
)

// TestMain doubles as a tiny HTTP service for the shell tests' background
// blocks: with DOCCHECK_TEST_SERVE=ADDR the test binary serves /health on
// ADDR until SIGINT, printing "interrupted" then, as a Ctrl-C'd service
// would.
func TestMain(m *testing.M) {
	if addr := os.Getenv("DOCCHECK_TEST_SERVE"); addr != "" {
		os.Exit(serve(addr))
	}
	goleak.VerifyTestMain(m)
}

func serve(addr string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})}
	go srv.Serve(ln)
	fmt.Println("serving", ln.Addr())
	<-ctx.Done()
	srv.Close()
	fmt.Println("interrupted")
	return 0
}

// repoRoot is the module's root, three levels above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no caller")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
}

// freePort returns a loopback address nothing listens on (for a moment).
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// alive reports whether a process group still exists.
func alive(pgid int) bool { return syscall.Kill(-pgid, 0) == nil }

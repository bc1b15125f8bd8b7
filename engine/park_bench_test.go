package engine

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestHelperServer is not a test: it is the server process of
// BenchmarkParkedUserMemory (this test binary run again with
// SOAK_HELPER_SERVER set), so that the server's own connections and
// goroutines stay out of the memory the benchmark reads. It prints its
// address and serves until its standard input closes.
func TestHelperServer(t *testing.T) {
	if os.Getenv("SOAK_HELPER_SERVER") == "" {
		t.Skip("the server process of BenchmarkParkedUserMemory")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr())
	go http.Serve(ln, okHandler())
	_, _ = io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

// helperServer starts TestHelperServer in a process of its own and
// returns its base URL; the process ends with the benchmark.
func helperServer(b *testing.B) string {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServer$")
	cmd.Env = append(os.Environ(), "SOAK_HELPER_SERVER=1")
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { in.Close(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.HasPrefix(line, "listen:") {
		b.Fatalf("helper server: %q, %v", line, err)
	}
	return "http://" + strings.TrimSpace(line)
}

// BenchmarkParkedUserMemory is the memory a closed-model user holds while
// it pauses between tasks, the state of almost every user of a run with
// think time: 5,000 users started at 2,000 a second (as
// engine/internal/bench/rss.sh does), each after one GET of a server in
// another process, pausing for an hour. Read after two GCs (which also empty the
// response-reader pool), minus the same before the run: the live heap
// (heap-B/user), the goroutine stacks (stack-B/user) and the goroutines
// per user. Run with -benchtime=1x: one iteration is one such run.
func BenchmarkParkedUserMemory(b *testing.B) {
	const users = 5000
	host := helperServer(b)
	var heap, stack, gs float64
	for range b.N {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&before)
		g0 := runtime.NumGoroutine()
		var served atomic.Int64
		all, stop := make(chan struct{}), make(chan struct{})
		p := Plan{Host: host, Duration: time.Hour, Load: Closed{Users: users, SpawnRate: 2000}, Stop: stop,
			Classes: []Class{{Name: "P", Weight: 1, Wait: Constant{time.Hour}, Tasks: []Task{{Weight: 1,
				Do: func(ctx context.Context, u *User) error {
					_, err := u.Get(ctx, "/ok", "")
					if served.Add(1) == users {
						close(all)
					}
					return err
				}}}}}}
		done := make(chan *Result, 1)
		go func() {
			res, err := Run(context.Background(), p)
			if err != nil {
				b.Error(err)
			}
			done <- res
		}()
		<-all
		time.Sleep(500 * time.Millisecond) // the last users record their request and pause
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&after)
		gs = float64(runtime.NumGoroutine()-g0) / users
		close(stop)
		if res := <-done; res != nil {
			if s := res.Total.Total(); s.Requests != users || s.Failures() != 0 {
				b.Fatalf("%d requests, %d failures; want %d, 0", s.Requests, s.Failures(), users)
			}
		}
		heap = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / users
		stack = float64(int64(after.StackInuse)-int64(before.StackInuse)) / users
	}
	b.ReportMetric(heap, "heap-B/user")
	b.ReportMetric(stack, "stack-B/user")
	b.ReportMetric(gs, "goroutines/user")
}

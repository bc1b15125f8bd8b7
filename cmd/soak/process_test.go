package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soaklab/soak/cmd/soak/internal/results"
	"github.com/soaklab/soak/engine/report"
)

// Locust's CSV header lines, from locust/stats.py (locustio/locust,
// commit 0070e8b309bfb3b50ec9be12f088d8e92032cdde: requests_csv_columns,
// stats_history_csv_columns, failures_columns, exceptions_columns) as
// Python's csv.writer writes them: scripts written for Locust's CSVs read
// soak's.
const (
	locustStatsHeader = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time," +
		"Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s," +
		"50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\r\n"
	locustHistoryHeader = "Timestamp,User Count,Type,Name,Requests/s,Failures/s," +
		"50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%," +
		"Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time," +
		"Total Min Response Time,Total Max Response Time,Total Average Content Size\r\n"
	locustFailuresHeader   = "Method,Name,Error,Occurrences\r\n"
	locustExceptionsHeader = "Count,Message,Traceback,Nodes\r\n"
)

// quick are the flags that keep a subprocess run short: the probe is read
// every 500 ms, with a 1 s baseline and at most 2 s of drain.
var quick = []string{"--probe-interval", "500ms", "--baseline", "1s", "--drain", "2s"}

// cleanEnv keeps the environment of the machine from choosing the
// demo's stores: soak demo reads $DATABASE_URL and $REDIS_URL.
var cleanEnv = []string{"DATABASE_URL=", "REDIS_URL="}

// proc is a finished soak process.
type proc struct {
	code           int
	stdout, stderr string
}

// soak runs the soak binary in dir with extra environment variables and
// waits for it, at most limit.
func soak(t *testing.T, dir string, env []string, limit time.Duration, args ...string) proc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, soakBin, args...)
	cmd.Dir, cmd.Env = dir, append(append(os.Environ(), cleanEnv...), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("soak %q did not end within %v:\n%s", args, limit, errb.String())
	}
	return proc{code: exitCode(t, err), stdout: out.String(), stderr: errb.String()}
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	t.Fatalf("running soak: %v", err)
	return -1
}

// target is a service under load in the test process, over loopback.
type target struct {
	*httptest.Server
	mu   sync.Mutex
	auth []string // Authorization headers received
}

func newTarget(t *testing.T) *target {
	tg := &target{}
	tg.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get("Authorization"); a != "" {
			tg.mu.Lock()
			if len(tg.auth) < 10 {
				tg.auth = append(tg.auth, a)
			}
			tg.mu.Unlock()
		}
		switch r.URL.Path {
		case "/ok", "/":
			io.WriteString(w, `{"ok":true}`)
		case "/fail":
			http.Error(w, "boom", http.StatusInternalServerError)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(tg.Close)
	return tg
}

// checkOutputs checks every output of a results directory: the Locust CSVs
// with Locust's header lines, a JSON document that reads back, the HTML
// and Markdown reports; partial says whether they must say "partial".
func checkOutputs(t *testing.T, dir string, partial bool) *report.Document {
	t.Helper()
	for name, header := range map[string]string{
		"soak_stats.csv": locustStatsHeader, "soak_failures.csv": locustFailuresHeader,
		"soak_exceptions.csv": locustExceptionsHeader, "soak_stats_history.csv": locustHistoryHeader,
	} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("output missing: %v", err)
		}
		if !bytes.HasPrefix(b, []byte(header)) {
			t.Errorf("%s starts %q, want Locust's %q", name, b[:min(len(b), len(header))], header)
		}
	}
	f, err := os.Open(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatalf("output missing: %v", err)
	}
	defer f.Close()
	doc, err := report.ReadJSON(f, "report.json")
	if err != nil {
		t.Fatalf("report.json: %v", err)
	}
	if doc.Partial != partial {
		t.Errorf("report.json partial = %v, want %v", doc.Partial, partial)
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil || !bytes.Contains(html, []byte("<html")) || !bytes.Contains(html, []byte("</html>")) {
		t.Errorf("report.html: %v, %d bytes", err, len(html))
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil || !bytes.Contains(md, []byte("## Results Summary")) || !bytes.Contains(md, []byte("## Stability Analysis")) {
		t.Errorf("report.md: %v:\n%.500s", err, md)
	}
	return doc
}

// runStatus reads run.json's status.
func runStatus(t *testing.T, dir string) results.Status {
	t.Helper()
	s, err := results.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s.Meta.Status
}

// waitIntervals waits until dir holds at least n saved intervals.
func waitIntervals(t *testing.T, dir string, n int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(filepath.Join(dir, results.IntervalsFile))
		if bytes.Count(b, []byte("\n")) >= n {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("fewer than %d intervals in %s after 60s", n, dir)
}

// freePort returns a loopback port nobody listens on (bound, then
// released).
func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// started is a soak process still running.
type started struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	lines  chan string // stdout, line by line
	done   chan error
}

func start(t *testing.T, dir string, args ...string) *started {
	t.Helper()
	return startEnv(t, dir, nil, args...)
}

// startEnv is start with extra environment variables.
func startEnv(t *testing.T, dir string, env []string, args ...string) *started {
	t.Helper()
	cmd := exec.Command(soakBin, args...)
	cmd.Dir, cmd.Env = dir, append(append(os.Environ(), cleanEnv...), env...)
	s := &started{cmd: cmd, stderr: &lockedBuffer{}, lines: make(chan string, 100), done: make(chan error, 1)}
	cmd.Stderr = s.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case s.lines <- sc.Text():
			default: // nobody reads: drop
			}
		}
		close(s.lines)
		s.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-s.done
		}
	})
	return s
}

// wait waits for the process to end, at most limit, and returns its exit
// code.
func (s *started) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	// stdout never blocks the process (lines past the buffer are
	// dropped), so the limit counts from now: draining the lines first
	// would wait for the process's end, whenever it came.
	select {
	case err := <-s.done:
		return exitCode(t, err)
	case <-time.After(limit):
		s.cmd.Process.Kill()
		<-s.done
		t.Fatalf("soak did not end within %v:\n%s", limit, s.stderr.String())
	}
	return -1
}

// grepTree reports the files under dir that contain secret.
func grepTree(t *testing.T, dir, secret string) []string {
	t.Helper()
	var hits []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, []byte(secret)) {
			hits = append(hits, p)
		}
		return err
	})
	return hits
}

// newSilentListener accepts connections on loopback and never answers;
// it reports how many it accepted.
func newSilentListener(t *testing.T) (addr string, accepted *atomic.Int64) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n := new(atomic.Int64)
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String(), n
}

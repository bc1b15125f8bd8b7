//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// countingTarget is a service that counts the connections and requests
// it gets: a run refused before its load must leave both at 0.
type countingTarget struct {
	*httptest.Server
	conns, requests atomic.Int64
}

func newCountingTarget(t *testing.T) *countingTarget {
	ct := &countingTarget{}
	ct.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct.requests.Add(1)
		w.Write([]byte(`{"ok":true}`))
	}))
	ct.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			ct.conns.Add(1)
		}
	}
	ct.Start()
	t.Cleanup(ct.Close)
	return ct
}

// untouched fails the test if anything reached ct.
func (ct *countingTarget) untouched(t *testing.T, what string) {
	t.Helper()
	if c, r := ct.conns.Load(), ct.requests.Load(); c != 0 || r != 0 {
		t.Errorf("%s: the target got %d connections and %d requests; want none", what, c, r)
	}
}

// TestOutputPathsCheckedBeforeLoad: an output soak could not write at the
// end is refused at once, exit 2 naming the flag, before the scenario is
// read and before anything reaches the target.
func TestOutputPathsCheckedBeforeLoad(t *testing.T) {
	dir := t.TempDir()
	tg := newCountingTarget(t)
	file := filepath.Join(dir, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	used := filepath.Join(dir, "used")
	os.MkdirAll(used, 0o755)
	os.WriteFile(filepath.Join(used, "run.json"), []byte("{}"), 0o644)
	base := []string{"run", "--host", tg.URL, "--url", "/", "-u", "1", "-t", "2s"}
	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--csv", filepath.Join(dir, "missing", "stats")}, "--csv " + filepath.Join(dir, "missing", "stats") + ": directory " + filepath.Join(dir, "missing") + " does not exist"},
		{[]string{"--html", filepath.Join(dir, "missing", "r.html")}, "--html " + filepath.Join(dir, "missing", "r.html") + ": directory " + filepath.Join(dir, "missing") + " does not exist"},
		{[]string{"--html", dir}, "--html " + dir + ": " + dir + " is a directory"},
		{[]string{"--csv", filepath.Join(file, "stats")}, "--csv " + filepath.Join(file, "stats") + ": " + file + " is not a directory"},
		{[]string{"--out", filepath.Join(file, "out")}, "--out " + filepath.Join(file, "out") + ": " + file + " is not a directory"},
		{[]string{"--out", file}, "--out " + file + ": exists and is not a directory"},
		{[]string{"--out", used}, "--out " + used + ": already holds a run's results (run.json)"},
		{[]string{"--out", "/proc/soak-results"}, "--out /proc/soak-results: cannot write in /proc"},
	} {
		args := append(append([]string{}, base...), tc.flags...)
		code, _, stderr := inProcess(t, nil, args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("soak %q: exit %d, stderr:\n%s\nwant %s", args, code, stderr, tc.want)
		}
	}
	// The scenario is not read either: a broken one is not reported.
	code, _, stderr := inProcess(t, nil, "run", "--host", tg.URL, "--scenario", "absent.yaml", "--html", filepath.Join(dir, "missing", "r.html"))
	if code != exitUsage || strings.Contains(stderr, "absent.yaml") {
		t.Errorf("the scenario was read before the outputs were checked: exit %d:\n%s", code, stderr)
	}
	tg.untouched(t, "refused outputs")
	// soak report checks its own --csv and --html before reading DIR.
	code, _, stderr = inProcess(t, nil, "report", "--csv", filepath.Join(dir, "missing", "x"), dir)
	if code != exitUsage || !strings.Contains(stderr, "--csv") {
		t.Errorf("soak report: exit %d:\n%s", code, stderr)
	}
}

// TestValidateRefusesNonRegularFiles: a scenario that is a device, a FIFO
// or a directory, or a data file that is, is refused by its type and not
// read: the FIFO, which no one writes to, would otherwise block forever.
func TestValidateRefusesNonRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.csv"), 0o600); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(dir, "csv.yaml")
	os.WriteFile(csv, []byte("data:\n  d: {csv: fifo.csv}\nclasses: [{name: A, tasks: [{get: '/{{d.a}}'}]}]\n"), 0o644)
	for name, want := range map[string]string{
		"/dev/zero": "/dev/zero: cannot read the scenario: not a regular file: a device",
		fifo:        fifo + ": cannot read the scenario: not a regular file: a named pipe (FIFO)",
		dir:         dir + ": cannot read the scenario: not a regular file: a directory",
		csv:         csv + `:2:12: data.d.csv: cannot read "fifo.csv": not a regular file: a named pipe (FIFO)`,
	} {
		code, _, stderr := inProcess(t, nil, "validate", name)
		if code != exitUsage || !strings.Contains(stderr, want) {
			t.Errorf("soak validate %s: exit %d, stderr:\n%s\nwant %s", name, code, stderr, want)
		}
	}
}

// TestProcEnvironNotEchoed: csv: /proc/self/environ once printed the
// whole environment (CI tokens included) in soak validate's error. The
// built soak runs with a secret in its environment, so its
// /proc/self/environ holds it; the secret must appear nowhere in what it
// prints, whether the path is refused as outside the scenario's
// directory or, with --data-dir /proc/self, by what the file is.
func TestProcEnvironNotEchoed(t *testing.T) {
	if _, err := os.Stat("/proc/self/environ"); err != nil {
		t.Skip("no /proc:", err)
	}
	const secret = "ci-token-5f0c2d9e8b7a"
	t.Setenv("SOAK_TEST_CI_TOKEN", secret)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "env.yaml"), []byte("data:\n  env: {csv: /proc/self/environ}\nclasses: [{name: A, tasks: [{get: '/{{env.a}}'}]}]\n"), 0o644)
	for _, args := range [][]string{
		{"validate", "env.yaml"},
		{"validate", "--data-dir", "/proc/self", "env.yaml"},
		{"validate", "/proc/self/environ"},
		{"run", "--host", "http://127.0.0.1:1", "--scenario", "env.yaml", "--data-dir", "/proc/self"},
	} {
		p := soak(t, dir, nil, time.Minute, args...)
		if p.code != exitUsage || strings.Contains(p.stdout+p.stderr, secret) || strings.Contains(p.stderr, "SOAK_TEST_CI_TOKEN") {
			t.Errorf("soak %q: exit %d, stdout:\n%s\nstderr:\n%s", args, p.code, p.stdout, p.stderr)
		}
		if !strings.Contains(p.stderr, "outside the scenario's directory") && !strings.Contains(p.stderr, "a /proc or /sys file") {
			t.Errorf("soak %q does not say why it refused:\n%s", args, p.stderr)
		}
	}
}

// TestDataDirFlag: a data file beside the scenario's directory is read
// only with --data-dir naming its directory.
func TestDataDirFlag(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "load"), 0o755)
	os.MkdirAll(filepath.Join(dir, "shared"), 0o755)
	os.WriteFile(filepath.Join(dir, "shared", "accounts.csv"), []byte("username\nann\n"), 0o644)
	name := filepath.Join(dir, "load", "s.yaml")
	os.WriteFile(name, []byte("data:\n  a: {csv: ../shared/accounts.csv}\nclasses: [{name: A, tasks: [{get: '/{{a.username}}'}]}]\n"), 0o644)
	code, _, stderr := inProcess(t, nil, "validate", name)
	if code != exitUsage || !strings.Contains(stderr, `"../shared/accounts.csv" is outside the scenario's directory`) {
		t.Errorf("without --data-dir: exit %d:\n%s", code, stderr)
	}
	code, stdout, stderr := inProcess(t, nil, "validate", "--data-dir", filepath.Join(dir, "shared"), name)
	if code != exitOK || !strings.Contains(stdout, "valid: s") {
		t.Errorf("with --data-dir: exit %d:\n%s%s", code, stdout, stderr)
	}
	code, _, stderr = inProcess(t, nil, "run", "--host", "http://127.0.0.1:1", "--data-dir", dir)
	if code != exitUsage || !strings.Contains(stderr, "--data-dir without --scenario") {
		t.Errorf("--data-dir in quick mode: exit %d:\n%s", code, stderr)
	}
	for _, bad := range []string{filepath.Join(dir, "absent"), filepath.Join(dir, "shared", "accounts.csv")} {
		code, _, stderr = inProcess(t, nil, "validate", "--data-dir", bad, name)
		if code != exitUsage || !strings.Contains(stderr, "--data-dir "+bad+": ") {
			t.Errorf("--data-dir %s: exit %d:\n%s", bad, code, stderr)
		}
	}
}

// largestBody writes a scenario at the bounds (a 1 MiB JSON body of an
// order's lines) that takes a noticeable time to check, and returns its
// name.
func largestBody(t *testing.T, dir string) string {
	var b strings.Builder
	b.WriteString("classes:\n  - name: A\n    tasks:\n      - post: /orders\n        json: [")
	for i := 0; b.Len() < 1<<20; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `{"sku": "SKU-%07d", "title": "Lighthouse keeper's brass lantern"}`, i)
	}
	b.WriteString("]\n")
	name := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestSignalStopsValidate: soak validate of many large files (a minute or
// two of work) stops at the first SIGTERM, exit 130, after the file being
// checked: it once finished the whole parse.
func TestSignalStopsValidate(t *testing.T) {
	dir := t.TempDir()
	big := largestBody(t, dir)
	args := []string{"validate"}
	for range 200 {
		args = append(args, big)
	}
	s := start(t, dir, args...)
	if line, ok := <-s.lines; !ok || !strings.Contains(line, "valid: big") {
		t.Fatalf("first line %q:\n%s", line, s.stderr.String())
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	valid := 1
	for line := range s.lines {
		if strings.Contains(line, "valid: big") {
			valid++
		}
	}
	if code := s.wait(t, time.Minute); code != exitInterrupted || valid == 200 {
		t.Fatalf("exit %d after %d of 200 files, want %d before the last:\n%s", code, valid, exitInterrupted, s.stderr.String())
	}
	if !strings.Contains(s.stderr.String(), "soak validate: interrupted while checking "+big) {
		t.Errorf("stderr:\n%s", s.stderr.String())
	}
}

// TestSignalDuringRunParse: a SIGTERM while soak run reads its scenario
// ends it at once with exit 130 and "nothing was written": no results
// directory is made or named, and nothing reaches the target. The
// scenario reads a CSV file of a million rows; the test freezes soak
// (SIGSTOP) as soon as it has that file open, checks that it still has
// (so the signal surely comes during the parse), then sends SIGTERM and
// lets it go on. It tries again, at most 5 times, if soak got past the
// file before it was frozen.
func TestSignalDuringRunParse(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	b.WriteString("username,password\n")
	for range 1_000_000 - 1 {
		b.WriteString("u,p\n")
	}
	csv := filepath.Join(dir, "accounts.csv")
	os.WriteFile(csv, b.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "s.yaml"), []byte("data:\n  a: {csv: accounts.csv}\nclasses: [{name: A, tasks: [{get: '/{{a.username}}'}]}]\n"), 0o644)
	tg := newCountingTarget(t)
	for attempt := 1; attempt <= 5; attempt++ {
		s := start(t, dir, "run", "--host", tg.URL, "--scenario", "s.yaml", "-t", "1h", "--out", "out")
		if !frozenReading(s.cmd.Process.Pid, csv) {
			s.cmd.Process.Kill()
			s.wait(t, time.Minute)
			t.Logf("attempt %d: soak was not caught reading %s", attempt, csv)
			continue
		}
		s.cmd.Process.Signal(syscall.SIGTERM)
		s.cmd.Process.Signal(syscall.SIGCONT)
		code := s.wait(t, time.Minute)
		stderr := s.stderr.String()
		if code != exitInterrupted || !strings.Contains(stderr, "soak run: interrupted before the load: nothing was written") {
			t.Fatalf("exit %d, stderr:\n%s", code, stderr)
		}
		if strings.Contains(stderr, "soak report") || strings.Contains(stderr, "soak-results") || strings.Contains(stderr, filepath.Join(dir, "out")) {
			t.Errorf("stderr names a results directory:\n%s", stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
			t.Error("a results directory was made")
		}
		tg.untouched(t, "a run interrupted while parsing")
		return
	}
	t.Fatal("soak was never caught reading its CSV file in 5 attempts")
}

// frozenReading waits until process pid has file open, stops it
// (SIGSTOP), and reports whether it still has the file open, frozen. It
// gives up (false) when the process ends, or after a minute.
func frozenReading(pid int, file string) bool {
	deadline := time.Now().Add(time.Minute)
	fdDir := "/proc/" + strconv.Itoa(pid) + "/fd"
	has := func() (bool, bool) {
		fds, err := os.ReadDir(fdDir)
		if err != nil {
			return false, false // ended
		}
		for _, fd := range fds {
			if target, err := os.Readlink(filepath.Join(fdDir, fd.Name())); err == nil && target == file {
				return true, true
			}
		}
		return false, true
	}
	for time.Now().Before(deadline) {
		open, alive := has()
		if !alive {
			return false
		}
		if !open {
			time.Sleep(200 * time.Microsecond)
			continue
		}
		syscall.Kill(pid, syscall.SIGSTOP)
		if open, _ := has(); open {
			return true
		}
		syscall.Kill(pid, syscall.SIGCONT)
		return false
	}
	return false
}

// TestInterruptedBeforeBegin: a first Ctrl-C that came while a run was
// prepared ends it before its results directory is made, whatever step
// noticed it (here every step after it, deterministically: stop is
// closed before main runs).
func TestInterruptedBeforeBegin(t *testing.T) {
	dir := t.TempDir()
	tg := newCountingTarget(t)
	out := filepath.Join(dir, "out")
	stop := make(chan struct{})
	close(stop)
	var stdout, stderr lockedBuffer
	c := &cli{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }, stop: stop}
	code := c.main(context.Background(), []string{"run", "--host", tg.URL, "--url", "/", "-t", "1h", "--out", out})
	if code != exitInterrupted || !strings.Contains(stderr.String(), "interrupted before the load: nothing was written") {
		t.Errorf("exit %d:\n%s", code, stderr.String())
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a results directory was made")
	}
	if c.resultsDir.Load() != nil {
		t.Error("the cli records a results directory")
	}
	tg.untouched(t, "an interrupted preparation")
}

// TestHardExitNote: after the second Ctrl-C soak names the results
// directory to rebuild the outputs from only when a run made one.
func TestHardExitNote(t *testing.T) {
	if n := hardExitNote(nil); strings.Contains(n, "soak report") || !strings.Contains(n, "no results directory was made") {
		t.Errorf("no directory: %q", n)
	}
	dir := "soak-results/20261128T051500Z-3f9a"
	if n := hardExitNote(&dir); !strings.Contains(n, "soak report "+dir) {
		t.Errorf("with a directory: %q", n)
	}
}

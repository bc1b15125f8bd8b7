package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// newRunner prepares a Runner over a small git repository.
func newRunner(t *testing.T, timeout time.Duration) *Runner {
	t.Helper()
	root := writeTree(t, map[string]string{"tracked.txt": "original\n", ".gitignore": "/ignored/\n"})
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v: %s", args, err, out)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "untracked.txt"), []byte("new\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "ignored"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "ignored", "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r := &Runner{Root: root, Timeout: timeout}
	if err := r.Prepare(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// httpGet is a shell command printing the response to GET path from
// addr, with bash alone (curl may be missing where the tests run).
func httpGet(addr, path string) string {
	host, port, _ := net.SplitHostPort(addr)
	return "exec 3<>/dev/tcp/" + host + "/" + port + " && printf 'GET " + path + " HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3 && exec 3<&-"
}

// page parses Markdown into the page's shell blocks.
func page(t *testing.T, src string) []*Block {
	t.Helper()
	p := ParsePage("docs/p.md", src)
	if len(p.Errs) > 0 {
		t.Fatal(p.Errs)
	}
	var out []*Block
	for i := range p.Blocks {
		out = append(out, &p.Blocks[i])
	}
	return out
}

func TestRunPage(t *testing.T) {
	r := newRunner(t, 0)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	src := "<!-- doc-check: background http://" + addr + "/health -->\n" +
		"```sh\nDOCCHECK_TEST_SERVE=" + addr + " " + self + "\n```\n" +
		"<!-- doc-check: expect (?m)^ok$ -->\n```sh\n" + httpGet(addr, "/health") + "\n```\n" +
		"```sh\ntest -f untracked.txt && test ! -e ignored\nx=42\nmkdir sub && cd sub\n```\n" +
		"```sh\ntest \"$x\" = 42 && test \"$(basename \"$PWD\")\" = sub\n```\n" +
		"<!-- doc-check: exit 3 -->\n```sh\n(exit 3)\n```\n" +
		"<!-- doc-check: sub 30m => 1s -->\n<!-- doc-check: expect ^took 1s -->\n```sh\necho took 30m\n```\n"
	res := r.RunPage(context.Background(), "docs/p.md", page(t, src))
	if res.Err != nil {
		t.Fatalf("%v\n%s", res.Err, res.Output)
	}
	if len(res.Finished) != 6 {
		t.Errorf("finished %v, want all 6 blocks", res.Finished)
	}
	pids, err := os.ReadFile(filepath.Join(r.work, "bg.pids"))
	if err != nil {
		t.Fatal(err)
	}
	pgid, err := strconv.Atoi(strings.TrimSpace(string(pids)))
	if err != nil {
		t.Fatal(err)
	}
	if alive(pgid) {
		t.Errorf("the background block's process group %d outlived the page", pgid)
	}
	log, err := os.ReadFile(filepath.Join(r.work, "bg-0.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "interrupted") {
		t.Errorf("the background service was not stopped with SIGINT; its log:\n%s", log)
	}
}

func TestRunPageFailures(t *testing.T) {
	r := newRunner(t, 3*time.Second)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for _, tc := range []struct {
		name, src, err, output string
		finished               int
	}{
		{"failing command", "```sh\necho one\n```\n```sh\necho two\nfalse\necho three\n```\n```sh\necho four\n```\n",
			"docs/p.md:4: exit status 1", "two", 1},
		{"exit status", "<!-- doc-check: exit 3 -->\n```sh\ntrue\n```\n", "docs/p.md:2: exit status 0, want 3", "", 0},
		{"expect", "<!-- doc-check: expect ^found -->\n```sh\necho lost\n```\n", `docs/p.md:2: the output does not match "^found"`, "lost", 1},
		{"timeout", "```sh\necho slow\nsleep 60\n```\n", "did not finish within 3s (at docs/p.md:1)", "slow", 0},
		{"port in use", "<!-- doc-check: background http://" + ln.Addr().String() + "/ -->\n```sh\nsleep 1\n```\n", "already listens on " + ln.Addr().String(), "", 0},
		{"background dies", "<!-- doc-check: background http://" + freePort(t) + "/ -->\n```sh\necho cannot start; exit 1\n```\n", "docs/p.md:2", "cannot start", 0},
		{"stale sub", "<!-- doc-check: sub 30m => 1s -->\n```sh\necho 1h\n```\n", `sub "30m": the block does not contain it`, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := r.RunPage(context.Background(), "docs/p.md", page(t, tc.src))
			if res.Err == nil || !strings.Contains(res.Err.Error(), tc.err) {
				t.Fatalf("error %v, want one with %q\n%s", res.Err, tc.err, res.Output)
			}
			if !strings.Contains(res.Output+res.Err.Error(), tc.output) {
				t.Errorf("output %q, want it to contain %q", res.Output, tc.output)
			}
			if len(res.Finished) != tc.finished {
				t.Errorf("finished %v, want %d blocks", res.Finished, tc.finished)
			}
		})
	}
}

// TestRunPageResets: every page starts from the pristine copy.
func TestRunPageResets(t *testing.T) {
	r := newRunner(t, 0)
	dirty := "```sh\necho changed > tracked.txt\ntouch junk\nrm untracked.txt\n```\n"
	if res := r.RunPage(context.Background(), "docs/a.md", page(t, dirty)); res.Err != nil {
		t.Fatal(res.Err)
	}
	check := "```sh\ntest \"$(cat tracked.txt)\" = original && test ! -e junk && test -f untracked.txt\n```\n"
	if res := r.RunPage(context.Background(), "docs/b.md", page(t, check)); res.Err != nil {
		t.Fatalf("the second page did not start afresh: %v", res.Err)
	}
}

func TestBlockOutputs(t *testing.T) {
	log := "prelude\n::doccheck begin a.md:1\nout 1\n::doccheck end a.md:1\n::doccheck begin a.md:5\nout 2\npartial\n"
	outs, failed := blockOutputs(log)
	if failed != "a.md:5" || outs["a.md:1"] != "out 1\n" || outs["a.md:5"] != "out 2\npartial\n" {
		t.Errorf("outs %q, failed %q", outs, failed)
	}
}

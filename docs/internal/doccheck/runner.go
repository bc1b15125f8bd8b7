package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Runner runs the shell blocks of pages in a scratch copy of the
// repository, as a newcomer would in a fresh clone: every page starts from
// the pristine copy (git clean and checkout), with a soak binary built
// from the copy on PATH (and GOBIN pointing there, so "go install" lands
// in it too).
type Runner struct {
	Root    string        // the repository to copy
	Timeout time.Duration // bound on one page's script; 15 minutes when zero
	Log     io.Writer     // the scripts' output as it comes; nil for none

	work string // scratch directory: repo/, bin/, page logs
}

// Prepare copies the repository's tracked and unignored files (the tree a
// fresh clone would have, with uncommitted edits) into a scratch directory,
// commits them there so each page can be reset, and builds soak.
func (r *Runner) Prepare(ctx context.Context) error {
	work, err := os.MkdirTemp("", "doccheck-")
	if err != nil {
		return err
	}
	r.work = work
	repo := filepath.Join(work, "repo")
	list, err := r.run(ctx, r.Root, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	if err != nil {
		return err
	}
	for _, rel := range strings.Split(strings.TrimRight(list, "\x00"), "\x00") {
		if err := copyFile(filepath.Join(r.Root, rel), filepath.Join(repo, rel)); err != nil {
			return err
		}
	}
	git := []string{"-c", "user.name=doccheck", "-c", "user.email=doccheck@localhost", "-c", "commit.gpgsign=false"}
	for _, args := range [][]string{
		{"init", "-q"},
		{"add", "-A"},
		append(git, "commit", "-q", "-m", "doccheck: the tree under test"),
	} {
		if _, err := r.run(ctx, repo, "git", args...); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Join(work, "bin"), 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(repo, "cmd", "soak")); err != nil {
		return nil // not soak's repository (the runner's own tests)
	}
	_, err = r.run(ctx, repo, "go", "build", "-o", filepath.Join(work, "bin", "soak"), "./cmd/soak")
	return err
}

// Close removes the scratch directory.
func (r *Runner) Close() error {
	if r.work == "" {
		return nil
	}
	return os.RemoveAll(r.work)
}

// copyFile copies one file, keeping its mode; a listed file that is gone
// (deleted, not yet committed) is skipped.
func copyFile(src, dst string) error {
	fi, err := os.Lstat(src)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		return os.Symlink(target, dst)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, fi.Mode().Perm())
}

// run runs a command for the runner's own needs, returning its stdout.
func (r *Runner) run(ctx context.Context, dir, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// PageResult is what one page's shell blocks did.
type PageResult struct {
	File     string
	Blocks   int
	Elapsed  time.Duration
	Err      error  // the first failure, naming the block
	Output   string // the failing block's output, or the log's tail
	Finished []string
}

// RunPage resets the copy and runs the page's shell blocks.
func (r *Runner) RunPage(ctx context.Context, file string, blocks []*Block) (res PageResult) {
	res = PageResult{File: file, Blocks: len(blocks)}
	start := time.Now()
	defer func() { res.Elapsed = time.Since(start) }()
	repo := filepath.Join(r.work, "repo")
	for _, args := range [][]string{{"clean", "-fdxq"}, {"checkout", "-q", "--", "."}} {
		if _, err := r.run(ctx, repo, "git", args...); err != nil {
			res.Err = err
			return res
		}
	}
	if err := portsFree(blocks); err != nil {
		res.Err = err
		return res
	}
	script, err := ShellScript(blocks)
	if err != nil {
		res.Err = err
		return res
	}
	bgFile := filepath.Join(r.work, "bg.pids")
	os.Remove(bgFile)
	timeout := r.Timeout
	if timeout == 0 {
		timeout = 15 * time.Minute
	}
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(pctx, "bash", "-c", script)
	cmd.Dir = repo
	bin := filepath.Join(r.work, "bin")
	cmd.Env = append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"GOBIN="+bin, "DOCCHECK=1", "DOCCHECK_REPO="+repo, "DOCCHECK_WORK="+r.work, "DOCCHECK_BG="+bgFile)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	var log bytes.Buffer
	var w io.Writer = &log
	if r.Log != nil {
		w = io.MultiWriter(&log, r.Log)
	}
	cmd.Stdout, cmd.Stderr = w, w
	runErr := cmd.Run()
	killGroups(bgFile, cmd)
	outs, failed := blockOutputs(log.String())
	for _, b := range blocks {
		if _, ok := outs[b.Where()]; ok && b.Where() != failed {
			res.Finished = append(res.Finished, b.Where())
		}
	}
	switch {
	case pctx.Err() == context.DeadlineExceeded:
		res.Err = fmt.Errorf("%s: the page's blocks did not finish within %v (at %s)", file, timeout, orNone(failed))
	case runErr != nil && lastDiagnostic(log.String()) != "":
		res.Err = fmt.Errorf("%s: %s", orNone(failed), lastDiagnostic(log.String()))
	case runErr != nil:
		res.Err = fmt.Errorf("%s: %v", orNone(failed), runErr)
	}
	if res.Err == nil {
		res.Err = checkExpect(blocks, outs)
	}
	if res.Err != nil {
		res.Output = tail(outs[failed], 60)
		if failed == "" {
			res.Output = tail(log.String(), 60)
		}
	}
	return res
}

// checkExpect matches each "expect" directive against its block's output.
func checkExpect(blocks []*Block, outs map[string]string) error {
	for _, b := range blocks {
		for _, d := range b.Directives {
			if d.Kind == "expect" && !d.Expect.MatchString(outs[b.Where()]) {
				return fmt.Errorf("%s: the output does not match %q:\n%s", b.Where(), d.Args, tail(outs[b.Where()], 30))
			}
		}
	}
	return nil
}

// killGroups kills whatever is left of the script and its background
// sessions (their process groups are in file, one a line).
func killGroups(file string, cmd *exec.Cmd) {
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	data, _ := os.ReadFile(file)
	for _, f := range strings.Fields(string(data)) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 1 {
			syscall.Kill(-pid, syscall.SIGKILL)
		}
	}
}

// portsFree fails when something already answers where a background
// block's service should start: the check would talk to it instead.
func portsFree(blocks []*Block) error {
	for _, b := range blocks {
		d := b.Directive("background")
		if d == nil {
			continue
		}
		u, err := url.Parse(d.Args)
		if err != nil {
			return fmt.Errorf("%s: background: %v", b.Where(), err)
		}
		if c, err := net.DialTimeout("tcp", u.Host, time.Second); err == nil {
			c.Close()
			return fmt.Errorf("%s: something already listens on %s; stop it and run the check again", b.Where(), u.Host)
		}
	}
	return nil
}

func orNone(where string) string {
	if where == "" {
		return "outside any block"
	}
	return where
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("[... %d lines]", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

package main

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The web flags' mistakes are usage errors naming the flag, before
// anything runs; soak capacity has no web view.
func TestWebUsageErrors(t *testing.T) {
	host := "--host=http://127.0.0.1:1"
	for _, c := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"run", host, "--web-token", "x"}, "need --web ADDR"},
		{nil, []string{"run", host, "--web-read-only"}, "need --web ADDR"},
		{nil, []string{"demo", "--web-keep", "1m"}, "need --web ADDR"},
		{nil, []string{"run", host, "--web", "8089"}, "--web \"8089\": want HOST:PORT"},
		{nil, []string{"run", host, "--web", "0.0.0.0:8089"}, "not a loopback address, and no token"},
		{nil, []string{"demo", "--web", ":8089"}, "not a loopback address, and no token"},
		{nil, []string{"run", host, "--web", "127.0.0.1:0", "--web-keep", "-1s"}, "--web-keep"},
		{nil, []string{"capacity", host, "--web", "127.0.0.1:0"}, "soak capacity has no web view"},
	} {
		code, _, stderr := inProcess(t, c.env, c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// A run with --web and a token (from $SOAK_WEB_TOKEN, or the flag) tells
// the page's address and writes the token nowhere: not on stderr or
// stdout, not in any file of the results directory.
func TestWebTokenNowhere(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer target.Close()
	const token = "w3b-t0ken-5ecret"
	for i, c := range []struct {
		env  map[string]string
		flag []string
	}{
		{map[string]string{WebTokenEnv: token}, nil},
		{nil, []string{"--web-token", token}},
	} {
		out := filepath.Join(t.TempDir(), "out")
		args := append([]string{"run", "--host", target.URL, "--url", "/", "-u", "2", "-r", "0", "-t", "1s", "--interval", "250ms",
			"--probe-optional", "--out", out, "--web", "127.0.0.1:0"}, c.flag...)
		code, stdout, stderr := inProcess(t, c.env, args...)
		if code == exitError || code == exitUsage {
			t.Fatalf("case %d: exit %d\n%s", i, code, stderr)
		}
		if !strings.Contains(stderr, "web view on http://127.0.0.1:") || !strings.Contains(stderr, "?token=") {
			t.Errorf("case %d: stderr does not tell the page's address and how to open it:\n%s", i, stderr)
		}
		if strings.Contains(stderr+stdout, token) {
			t.Errorf("case %d: the token is on stderr or stdout", i)
		}
		filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if b, _ := os.ReadFile(path); strings.Contains(string(b), token) {
				t.Errorf("case %d: the token is in %s", i, path)
			}
			return nil
		})
	}
}

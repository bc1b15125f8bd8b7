package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestK8sWrites: soak k8s checks the run flags, reads the scenario and
// writes the manifests (internal/k8s builds them, tests them in detail)
// on stdout or to -o FILE, the scenario's path rewritten to the mount.
func TestK8sWrites(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "s.yaml"), []byte("name: s\nhost: http://shop.default:8080\nclasses: [{name: A, tasks: [{get: /}]}]\n"), 0o644)
	args := []string{"k8s", "--image", "i", "--nats", "nats://n:4222", "--expect", "2", "--nats-token-secret", "nats-auth",
		"--", "--scenario", filepath.Join(dir, "s.yaml"), "--allow-remote", "-u", "4", "-t", "1m"}
	code, out, errOut := inProcess(t, nil, args...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	docs := strings.Split(out, "---\n")
	if len(docs) != 4 || !strings.HasPrefix(docs[0], "# soak k8s: a distributed run of 2 workers") ||
		!strings.Contains(docs[2], "/etc/soak/scenario/s.yaml") || !strings.Contains(docs[3], "--allow-remote") ||
		!strings.Contains(docs[3], NATSTokenEnv) {
		t.Errorf("manifests:\n%s", out)
	}
	file := filepath.Join(dir, "m.yaml")
	code, out, errOut = inProcess(t, nil, slices.Insert(slices.Clone(args), 1, "-o", file)...)
	if b, err := os.ReadFile(file); code != exitOK || out != "" || err != nil || string(b) != strings.Join(docs, "---\n") {
		t.Errorf("-o: exit %d, stdout %q, %v: %s", code, out, err, errOut)
	}
}

// TestK8sRefuses: bad flags, secrets in a manifest and data outside the
// scenario's directory are usage errors that name the flag.
func TestK8sRefuses(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "s.yaml"), []byte("name: s\nhost: http://127.0.0.1:8000\nclasses: [{name: A, tasks: [{get: /}]}]\n"), 0o644)
	s := filepath.Join(dir, "s.yaml")
	base := []string{"k8s", "--image", "i", "--nats", "nats://n:4222", "--expect", "2"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"k8s", "--nats", "nats://n:4222", "--expect", "2"}, "--image is required"},
		{append(base[:5:5], "--expect", "0"), "--expect 0"},
		{append(slices.Clone(base), "--cpu", "lots"), "--cpu"},
		{append(slices.Clone(base), "--name", "Bad_Name"), "--name"},
		{[]string{"k8s", "--image", "i", "--nats", "nats://u:pw@n:4222", "--expect", "2"}, "no place for credentials"},
		{append(slices.Clone(base), "--", "--scenario", s, "--probe-token", "x"), "--probe-token-secret"},
		{append(slices.Clone(base), "--", "--scenario", s, "--out", "x"), "--out"},
		{append(slices.Clone(base), "--", "--scenario", s, "-u", "-3"), "--users"},
	} {
		code, _, errOut := inProcess(t, nil, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) || strings.Contains(errOut, "pw") {
			t.Errorf("soak %q: exit %d: %s", tc.args, code, errOut)
		}
	}
}

package main

import (
	"net"
	"strings"
	"testing"
	"time"
)

// TestServePortInUse: soak demo --serve on a port another process holds
// says so in one line, naming the flag that moves it, with the command's
// prefix once (not "soak demo: demo: listen ..."). It runs the built
// binary, as a newcomer would: the demo's seeding before the listen
// (seconds under -race in this process) then runs beside the other
// parallel tests.
func TestServePortInUse(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	taken := ln.Addr().String()
	for _, tc := range []struct{ flag, other string }{{"--addr", "--admin-addr"}, {"--admin-addr", "--addr"}} {
		p := soak(t, t.TempDir(), nil, time.Minute, "demo", "--serve", tc.flag, taken, tc.other, "127.0.0.1:0")
		code, stdout, stderr := p.code, p.stdout, p.stderr
		want := "soak demo: " + tc.flag + " " + taken + ": the port is in use by another process; serve the demo elsewhere with " + tc.flag + " 127.0.0.1:"
		if code != exitError || !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 || strings.Contains(stderr, "demo: demo") || stdout != "" {
			t.Errorf("%s %s: exit %d\nstdout %q\nstderr %q", tc.flag, taken, code, stdout, stderr)
		}
	}
}

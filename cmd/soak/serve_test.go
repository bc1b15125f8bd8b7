package main

import (
	"net"
	"strings"
	"testing"
)

// TestServePortInUse: soak demo --serve on a port another process holds
// says so in one line, naming the flag that moves it, with the command's
// prefix once (not "soak demo: demo: listen ...").
func TestServePortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	taken := ln.Addr().String()
	for _, tc := range []struct{ flag, other string }{{"--addr", "--admin-addr"}, {"--admin-addr", "--addr"}} {
		code, stdout, stderr := inProcess(t, nil, "demo", "--serve", tc.flag, taken, tc.other, "127.0.0.1:0")
		want := "soak demo: " + tc.flag + " " + taken + ": the port is in use by another process; serve the demo elsewhere with " + tc.flag + " 127.0.0.1:"
		if code != exitError || !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 || strings.Contains(stderr, "demo: demo") || stdout != "" {
			t.Errorf("%s %s: exit %d\nstdout %q\nstderr %q", tc.flag, taken, code, stdout, stderr)
		}
	}
}

package pprofsite

import (
	"testing"

	"github.com/soaklab/soak/probe"
)

func stackOf(fns ...string) []probe.Frame {
	out := make([]probe.Frame, len(fns))
	for i, fn := range fns {
		out[i] = probe.Frame{Function: fn, File: "x.go", Line: 1}
	}
	return out
}

// The runtime allocating for itself (a goroutine descriptor made on the
// system stack) is not the service's growth; a runtime allocation made
// for the service's code is.
func TestOwnerOf(t *testing.T) {
	cases := []struct {
		stack []probe.Frame
		d     Drivers
		want  Owner
	}{
		{stackOf("runtime.malg", "runtime.newproc1", "runtime.newproc.func1", "runtime.systemstack"), Drivers{}, OwnerRuntime},
		{stackOf("runtime.makechan", "example.com/svc.(*api).trending", "runtime.goexit"), Drivers{}, OwnerService},
		{stackOf("sync.(*Pool).Get", "runtime.goexit"), Drivers{}, OwnerService},
		{stackOf("github.com/soaklab/soak/probe.writeJSON"), Drivers{}, OwnerProbe},
		{stackOf("runtime.mallocgc", "github.com/soaklab/soak/engine.(*user).run"), Drivers{}, OwnerGenerator},
		{stackOf("github.com/jackc/pgx/v5.(*Conn).getRows", "example.com/svc.read"), Drivers{PGX: true}, OwnerDriver},
		{stackOf("github.com/jackc/pgx/v5.(*Conn).getRows", "example.com/svc.read"), Drivers{}, OwnerService},
		{nil, Drivers{}, OwnerService},
	}
	for _, c := range cases {
		if got := OwnerOf(c.stack, c.d); got != c.want {
			t.Errorf("OwnerOf(%v) = %q, want %q", c.stack, got, c.want)
		}
	}
}

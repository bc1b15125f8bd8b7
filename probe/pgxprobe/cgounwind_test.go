//go:build cgo

package pgxprobe_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/internal/cgocallback"
)

// TestPGXLeakInCgoCallback acquires a connection inside a cgo callback (C
// calling Go back), with WithFramePointers(false) as docs/probe.md says
// for such services: the leak is found with the acquiring function and
// the Go frames below the C boundary.
func TestPGXLeakInCgoCallback(t *testing.T) {
	p := probe.New(probe.WithFramePointers(false))
	pool, _ := newPool(t, p, 2)
	var c *pgxpool.Conn
	var err error
	cgocallback.Call(func() { c, err = leakyShelves(shelvesCtx(), pool) })
	if err != nil {
		t.Fatal(err)
	}
	defer c.Release()
	g := findGroup(p.Leaks(0), probe.LeakPGXConn)
	if g == nil || !strings.HasSuffix(g.Function, ".leakyShelves") {
		t.Fatalf("group %+v", g)
	}
	var fns []string
	for _, f := range g.Stack {
		fns = append(fns, f.Function)
	}
	stack := strings.Join(fns, "\n")
	for _, want := range []string{"cgocallback.goCallback", "cgocallback.Call", "TestPGXLeakInCgoCallback"} {
		if !strings.Contains(stack, want) {
			t.Errorf("%s not in the stack:\n%s", want, stack)
		}
	}
	if snap, err := p.Snapshot(context.Background()); err != nil || snap.Leaks.StackUnwinder != probe.UnwinderCallers {
		t.Errorf("unwinder %q, %v", snap.Leaks.StackUnwinder, err)
	}
}

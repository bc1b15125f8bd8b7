package pgxprobe_test

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/soaklab/soak/probe"
)

// TestPGXLeakWithEitherUnwinder finds a leaked connection's acquiring
// function on the real PostgreSQL with the stacks walked through frame
// pointers (the amd64 default) and through runtime.Callers
// (WithFramePointers(false)), with the same stack either way.
func TestPGXLeakWithEitherUnwinder(t *testing.T) {
	stacks := map[bool][]string{}
	for _, fp := range []bool{true, false} {
		p := probe.New(probe.WithFramePointers(fp))
		pool, _ := newPool(t, p, 2)
		c, err := leakyShelves(shelvesCtx(), pool)
		if err != nil {
			t.Fatal(err)
		}
		g := findGroup(p.Leaks(0), probe.LeakPGXConn)
		if g == nil || !strings.HasSuffix(g.Function, ".leakyShelves") {
			t.Fatalf("frame pointers %v: group %+v", fp, g)
		}
		for _, f := range g.Stack {
			if !strings.Contains(f.Function, ".gowrap") {
				stacks[fp] = append(stacks[fp], f.Function)
			}
		}
		snap, err := p.Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := probe.UnwinderCallers
		if fp && runtime.GOARCH == "amd64" {
			want = probe.UnwinderFramePointers
		}
		if snap.Leaks.StackUnwinder != want {
			t.Errorf("frame pointers %v: snapshot says %q, want %q", fp, snap.Leaks.StackUnwinder, want)
		}
		c.Release()
	}
	if a, b := strings.Join(stacks[true], "\n"), strings.Join(stacks[false], "\n"); a != b {
		t.Errorf("frame pointers:\n%s\nruntime.Callers:\n%s", a, b)
	}
}

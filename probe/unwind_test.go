package probe

import (
	"runtime"
	"slices"
	"strings"
	"testing"
)

//go:noinline
func captureHere(t *stackTable) stackID { return t.capture(0) }

//go:noinline
func captureDeeper(t *stackTable, depth int) stackID {
	if depth == 0 {
		return captureHere(t)
	}
	return captureDeeper(t, depth-1)
}

// allFrames symbolises a captured stack whole, without dropping the
// probe's own frames as Snapshot does.
func allFrames(t *testing.T, st *stackTable, id stackID) []string {
	t.Helper()
	e, ok := st.m.Load(id)
	if !ok {
		t.Fatalf("stack %d not stored", id)
	}
	var out []string
	fs := runtime.CallersFrames(e.pcs)
	for {
		f, more := fs.Next()
		out = append(out, f.Function)
		if !more {
			return out
		}
	}
}

// isWrapper reports whether fn is a compiler-generated wrapper, which
// runtime.Callers leaves out and a frame-pointer walk keeps.
func isWrapper(fn string) bool {
	return strings.Contains(fn, ".gowrap") || strings.Contains(fn, ".deferwrap") || strings.HasSuffix(fn, "-fm")
}

// TestUnwinders captures the same stacks through frame pointers and
// through runtime.Callers: both start at the capturing function and name
// the same frames (but for the compiler's wrappers, which only the
// frame-pointer walk sees).
func TestUnwinders(t *testing.T) {
	var fp, callers stackTable
	fp.init(DefaultMaxStacks, DefaultStackDepth, 1, true)
	callers.init(DefaultMaxStacks, DefaultStackDepth, 1, false)
	if want := map[bool]string{true: UnwinderFramePointers, false: UnwinderCallers}[runtime.GOARCH == "amd64"]; fp.unwinder() != want {
		t.Errorf("default unwinder on %s: %s, want %s", runtime.GOARCH, fp.unwinder(), want)
	}
	if callers.unwinder() != UnwinderCallers {
		t.Errorf("forced unwinder: %s", callers.unwinder())
	}
	for _, depth := range []int{0, 5, 40} {
		a := allFrames(t, &fp, captureDeeper(&fp, depth))
		b := allFrames(t, &callers, captureDeeper(&callers, depth))
		const top = "github.com/soaklab/soak/probe.captureHere"
		if a[0] != top || b[0] != top {
			t.Errorf("depth %d: first frames %s and %s, want %s", depth, a[0], b[0], top)
		}
		// The goroutine t.Run starts enters through a wrapper
		// (testing.(*T).Run.gowrap1): only a frame-pointer walk sees it,
		// which tells the two unwinders apart.
		if depth == 0 && runtime.GOARCH == "amd64" && (!slices.ContainsFunc(a, isWrapper) || slices.ContainsFunc(b, isWrapper)) {
			t.Errorf("the unwinders were not the ones asked for:\n%v\n%v", a, b)
		}
		a = slices.DeleteFunc(a, isWrapper)
		if !slices.Equal(a, b) {
			t.Errorf("depth %d: frame pointers give\n%v\nruntime.Callers gives\n%v", depth, a, b)
		}
		if want := min(depth+2, DefaultStackDepth); len(b) < want {
			t.Errorf("depth %d: %d frames, want at least %d", depth, len(b), want)
		}
	}
}

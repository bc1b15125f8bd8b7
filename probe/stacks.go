package probe

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/soaklab/soak/probe/internal/cowmap"
)

const maxStackDepth = 64

// stackID names a deduplicated stack; 0 means "no stack" (not sampled, or
// the table was full).
type stackID uint64

// stackTable deduplicates call stacks by hash. Capture costs one
// runtime.Callers into a fixed array and, for a stack seen before, one
// lock-free map lookup; symbols are resolved only when a stack is read.
// The table holds at most max stacks.
type stackTable struct {
	m       cowmap.Map[stackID, *stackEntry]
	max     int
	depth   int
	every   uint64
	fp      bool // unwind through frame pointers (amd64, unless WithFramePointers(false))
	n       atomic.Uint64
	dropped atomic.Uint64 // captures not stored: table full
}

type stackEntry struct {
	pcs    []uintptr
	once   sync.Once
	frames []Frame
}

// Frame is one symbolised call-stack frame.
type Frame struct {
	Function string `json:"function"`
	File     string `json:"file"`
	Line     int    `json:"line"`
}

func (t *stackTable) init(max, depth, every int, framePointers bool) {
	t.max, t.depth, t.every = max, depth, uint64(every)
	t.fp = framePointers && haveFPCallers
}

// Stack unwinders, as [LeakSummary.StackUnwinder] names them.
const (
	UnwinderFramePointers = "frame pointers"
	UnwinderCallers       = "runtime.Callers"
)

// unwinder names how t unwinds stacks.
func (t *stackTable) unwinder() string {
	if t.fp {
		return UnwinderFramePointers
	}
	return UnwinderCallers
}

// capture records the caller's stack, skipping skip frames above capture's
// caller, and returns its id. With sampling, only one call in every
// WithStackSampling(n) captures; the others return 0.
//
// On amd64 the stack is unwound through frame pointers (fpCallers), which
// costs about as much as a map lookup, unless WithFramePointers(false)
// chose runtime.Callers; elsewhere always through runtime.Callers.
//
//go:noinline
func (t *stackTable) capture(skip int) stackID {
	if t.every > 1 && t.n.Add(1)%t.every != 1 {
		return 0
	}
	var buf [maxStackDepth + 8]uintptr
	var pcs []uintptr
	if t.fp {
		n := fpCallers(buf[:t.depth+skip])
		if n <= skip {
			return 0
		}
		pcs = buf[skip:n]
	} else {
		n := runtime.Callers(skip+2, buf[:t.depth])
		if n == 0 {
			return 0
		}
		pcs = buf[:n]
	}
	id := hashPCs(pcs)
	if _, ok := t.m.LoadOrCreate(id, t.max, func() *stackEntry {
		return &stackEntry{pcs: append([]uintptr(nil), pcs...)}
	}); !ok {
		t.dropped.Add(1)
		return 0
	}
	return id
}

// hashPCs mixes the program counters a word at a time (multiply and
// xor-shift, as in splitmix64); 0 is reserved. A collision would merge two
// stacks' holds under the first one's frames; with 64 bits and at most
// a few thousand stacks it does not happen in practice.
func hashPCs(pcs []uintptr) stackID {
	h := uint64(len(pcs)) * 0x9e3779b97f4a7c15
	for _, pc := range pcs {
		h ^= uint64(pc)
		h *= 0xbf58476d1ce4e5b9
		h ^= h >> 31
	}
	if h == 0 {
		h = 1
	}
	return stackID(h)
}

// len returns the number of distinct stacks stored.
func (t *stackTable) len() int { return t.m.Len() }

// frames symbolises a stack (once per stack) and drops the frames of the
// instrumentation itself (this package and its integrations, pgx,
// pgxpool, go-redis) from its top, so that the first frame is the
// application's.
func (t *stackTable) frames(id stackID) []Frame {
	if id == 0 {
		return nil
	}
	e, ok := t.m.Load(id)
	if !ok {
		return nil
	}
	e.once.Do(func() {
		fs := runtime.CallersFrames(e.pcs)
		top := true
		for {
			f, more := fs.Next()
			if top && isInstrumentation(f.Function) {
				if !more {
					break
				}
				continue
			}
			top = false
			e.frames = append(e.frames, Frame{Function: f.Function, File: f.File, Line: f.Line})
			if !more {
				break
			}
		}
	})
	return e.frames
}

var instrumentationPrefixes = []string{
	"github.com/soaklab/soak/probe.",
	"github.com/soaklab/soak/probe/pgxprobe.",
	"github.com/soaklab/soak/probe/redisprobe.",
	"github.com/jackc/pgx/",
	"github.com/jackc/puddle/",
	"github.com/redis/go-redis/",
	"runtime.",
}

func isInstrumentation(fn string) bool {
	for _, p := range instrumentationPrefixes {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

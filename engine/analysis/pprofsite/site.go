package pprofsite

import (
	"fmt"
	"strings"

	"github.com/google/pprof/profile"

	"github.com/soaklab/soak/probe"
)

// MaxStack bounds the frames kept per stack returned (Growth.Stack,
// Stack.Frames); maxFrames those read from a profile's sample to find its
// site and owner (the runtime records up to 128).
const (
	MaxStack  = 16
	maxFrames = 128
)

// Site is an allocation site or a goroutine's place: the first frame,
// from the innermost, in the application's code (see [Of]).
type Site struct {
	Function, File string
	Line           int
}

// frames returns s's call stack, innermost first (at most maxFrames).
func frames(s *profile.Sample) []probe.Frame {
	var out []probe.Frame
	for _, loc := range s.Location {
		for _, ln := range loc.Line { // inlined frames first, as pprof lists them
			if ln.Function == nil {
				continue
			}
			out = append(out, probe.Frame{Function: ln.Function.Name, File: ln.Function.Filename, Line: int(ln.Line)})
			if len(out) == maxFrames {
				return out
			}
		}
	}
	return out
}

// IsRuntimeFrame reports frames of the Go runtime and the standard
// library's waiting primitives, which say where a goroutine waits, not
// whose code it runs.
func IsRuntimeFrame(fn string) bool {
	for _, p := range []string{"runtime.", "runtime/", "internal/", "sync.", "time.", "context."} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

// Of returns the first frame of fs, from the innermost, in the
// application's code: neither the runtime's nor the standard library's
// (json.Marshal allocates, but its caller keeps the result). Without such
// a frame, the first that is not the runtime's; else the innermost; with
// no frame at all, "(unknown)".
func Of(fs []probe.Frame) Site {
	for _, f := range fs {
		if !IsRuntimeFrame(f.Function) && !isStdlib(f.Function) {
			return Site{f.Function, f.File, f.Line}
		}
	}
	for _, f := range fs {
		if !IsRuntimeFrame(f.Function) {
			return Site{f.Function, f.File, f.Line}
		}
	}
	if len(fs) > 0 {
		return Site{fs[0].Function, fs[0].File, fs[0].Line}
	}
	return Site{Function: "(unknown)"}
}

// isStdlib reports a function of the standard library: its import path's
// first element has no dot ("encoding/json.Marshal", "bufio.NewReaderSize").
func isStdlib(fn string) bool {
	first, _, _ := strings.Cut(fn, "/")
	if !strings.Contains(fn, "/") {
		first, _, _ = strings.Cut(fn, ".")
		return first != "main"
	}
	return !strings.Contains(first, ".")
}

// TrimStack returns fs's innermost MaxStack frames (fs itself when it has
// no more).
func TrimStack(fs []probe.Frame) []probe.Frame {
	if len(fs) > MaxStack {
		return fs[:MaxStack]
	}
	return fs
}

// valueIndex returns the index of sample type typ in p, or an error.
func valueIndex(p *profile.Profile, typ string) (int, error) {
	for i, st := range p.SampleType {
		if st.Type == typ {
			return i, nil
		}
	}
	return 0, fmt.Errorf("profile has no %q sample type", typ)
}

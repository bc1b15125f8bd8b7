package analysis

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/google/pprof/profile"

	"github.com/soaklab/soak/engine/internal/human"
	"github.com/soaklab/soak/probe"
)

// maxStack bounds the frames kept per suspect; maxFrames those read from
// a profile's sample to find its site and owner (the runtime records up
// to 128).
const (
	maxStack  = 16
	maxFrames = 128
)

// site is an allocation site or a goroutine's place: the first frame,
// from the innermost, that is not the runtime's.
type site struct {
	fn, file string
	line     int
}

// frames returns s's call stack, innermost first (at most maxStack).
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

// isRuntimeFrame reports frames of the Go runtime and the standard
// library's waiting primitives, which say where a goroutine waits, not
// whose code it runs.
func isRuntimeFrame(fn string) bool {
	for _, p := range []string{"runtime.", "runtime/", "internal/", "sync.", "time.", "context."} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

// siteOf returns the first frame of fs, from the innermost, in the
// application's code: neither the runtime's nor the standard library's
// (json.Marshal allocates, but its caller keeps the result). Without such
// a frame, the first that is not the runtime's; else the innermost.
func siteOf(fs []probe.Frame) site {
	for _, f := range fs {
		if !isRuntimeFrame(f.Function) && !isStdlib(f.Function) {
			return site{f.Function, f.File, f.Line}
		}
	}
	for _, f := range fs {
		if !isRuntimeFrame(f.Function) {
			return site{f.Function, f.File, f.Line}
		}
	}
	if len(fs) > 0 {
		return site{fs[0].Function, fs[0].File, fs[0].Line}
	}
	return site{fn: "(unknown)"}
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

// valueIndex returns the index of sample type typ in p, or an error.
func valueIndex(p *profile.Profile, typ string) (int, error) {
	for i, st := range p.SampleType {
		if st.Type == typ {
			return i, nil
		}
	}
	return 0, fmt.Errorf("profile has no %q sample type", typ)
}

// HeapGrowth diffs two heap profiles of one process (pprof proto, as
// `go tool pprof -diff_base base end` does: base scaled by -1 and merged
// into end) and returns the allocation sites whose in-use bytes grew,
// most first, at most top (0: all), with the total growth over every
// site. A site is a sample's first frame in the application's code. Each
// suspect's Value is its growth in bytes, Share its part of the total
// growth of the growing sites, and Stack the stack of its largest sample.
func HeapGrowth(base, end []byte, top int) ([]Suspect, int64, error) {
	samples, _, err := heapSamples(base, end)
	if err != nil {
		return nil, 0, err
	}
	sus, total := growingSites(samples)
	if top > 0 && len(sus) > top {
		sus = sus[:top]
	}
	return sus, total, nil
}

// heapSample is one stack's change of in-use bytes between two heap
// profiles, with its whole stack.
type heapSample struct {
	frames []probe.Frame
	bytes  int64
}

// heapSamples diffs two heap profiles into their samples' changes, and
// returns the end profile's sampling period (runtime.MemProfileRate when
// it was written: one sample per that many bytes; 0 when not recorded).
func heapSamples(base, end []byte) ([]heapSample, int64, error) {
	pb, err := profile.ParseData(base)
	if err != nil {
		return nil, 0, fmt.Errorf("analysis: base heap profile: %w", err)
	}
	pe, err := profile.ParseData(end)
	if err != nil {
		return nil, 0, fmt.Errorf("analysis: heap profile: %w", err)
	}
	period := pe.Period
	pb.Scale(-1)
	diff, err := profile.Merge([]*profile.Profile{pe, pb})
	if err != nil {
		return nil, 0, fmt.Errorf("analysis: diffing heap profiles: %w", err)
	}
	idx, err := valueIndex(diff, "inuse_space")
	if err != nil {
		return nil, 0, fmt.Errorf("analysis: heap profile: %w", err)
	}
	var out []heapSample
	for _, s := range diff.Sample {
		if v := s.Value[idx]; v != 0 {
			out = append(out, heapSample{frames(s), v})
		}
	}
	return out, period, nil
}

// growingSites sums samples by site and returns the sites that grew, most
// first, and their total growth.
func growingSites(samples []heapSample) ([]Suspect, int64) {
	type acc struct {
		bytes, big int64
		stack      []probe.Frame
	}
	sites := map[site]*acc{}
	for _, hs := range samples {
		k := siteOf(hs.frames)
		a := sites[k]
		if a == nil {
			a = &acc{}
			sites[k] = a
		}
		a.bytes += hs.bytes
		if hs.bytes > a.big {
			a.big, a.stack = hs.bytes, hs.frames
		}
	}
	var out []Suspect
	var total int64
	for k, a := range sites {
		if a.bytes <= 0 {
			continue
		}
		total += a.bytes
		out = append(out, Suspect{Function: k.fn, File: k.file, Line: k.line, Value: a.bytes, Unit: "bytes", Stack: trimStack(a.stack)})
	}
	slices.SortFunc(out, func(a, b Suspect) int {
		return cmp.Or(cmp.Compare(b.Value, a.Value), cmp.Compare(a.Function, b.Function))
	})
	for i := range out {
		out[i].Share = float64(out[i].Value) / float64(total)
		out[i].Detail = fmt.Sprintf("%s more in use at the end than at the start (%.0f%% of the growth)",
			human.Bytes(out[i].Value), 100*out[i].Share)
	}
	return out, total
}

// stackCount is one goroutine stack's count in a goroutine profile.
type stackCount struct {
	key   string // the stack's functions and lines, innermost first
	site  site
	stack []probe.Frame
	count int64
}

// GoroutineStacks parses a goroutine profile (pprof proto) into its
// stacks and counts, keyed by the stack's functions and lines.
func goroutineStacks(data []byte) (map[string]*stackCount, error) {
	p, err := profile.ParseData(data)
	if err != nil {
		return nil, fmt.Errorf("analysis: goroutine profile: %w", err)
	}
	if len(p.SampleType) == 0 {
		return nil, fmt.Errorf("analysis: goroutine profile: no sample type")
	}
	out := map[string]*stackCount{}
	for _, s := range p.Sample {
		fs := frames(s)
		var b strings.Builder
		for _, f := range fs {
			fmt.Fprintf(&b, "%s:%d;", f.Function, f.Line)
		}
		k := b.String()
		sc := out[k]
		if sc == nil {
			sc = &stackCount{key: k, site: siteOf(fs), stack: trimStack(fs)}
			out[k] = sc
		}
		sc.count += s.Value[0]
	}
	return out, nil
}

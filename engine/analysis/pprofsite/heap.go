package pprofsite

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/google/pprof/profile"

	"github.com/soaklab/soak/engine/internal/human"
	"github.com/soaklab/soak/probe"
)

// Growth is one site's growth between two profiles of one process.
type Growth struct {
	Site
	// Value is the growth in Unit: "bytes" in use (heap) or "goroutines".
	Value int64
	Unit  string
	// Share is Value's part of the growth of every growing site, 0..1.
	Share float64
	// Detail says the growth in words: "4.0 MB more in use at the end
	// than at the start (97% of the growth)", "2 then, 27 now".
	Detail string
	// Stack is the site's largest stack, innermost first (at most
	// MaxStack frames).
	Stack []probe.Frame
}

// HeapGrowth diffs two heap profiles of one process (pprof proto, as
// `go tool pprof -diff_base base end` does: base scaled by -1 and merged
// into end) and returns the allocation sites whose in-use bytes grew,
// most first, at most top (0: all), with the total growth over every
// site. A site is a sample's first frame in the application's code. Each
// growth's Value is in bytes, Share its part of the total growth of the
// growing sites, and Stack the stack of its largest sample.
func HeapGrowth(base, end []byte, top int) ([]Growth, int64, error) {
	samples, _, err := HeapSamples(base, end)
	if err != nil {
		return nil, 0, err
	}
	sus, total := GrowingSites(samples)
	if top > 0 && len(sus) > top {
		sus = sus[:top]
	}
	return sus, total, nil
}

// HeapSample is one stack's change of in-use bytes between two heap
// profiles, with its whole stack (at most 128 frames).
type HeapSample struct {
	Frames []probe.Frame
	Bytes  int64
}

// HeapSamples diffs two heap profiles into their samples' changes, and
// returns the end profile's sampling period (runtime.MemProfileRate when
// it was written: one sample per that many bytes; 0 when not recorded).
func HeapSamples(base, end []byte) ([]HeapSample, int64, error) {
	pb, err := profile.ParseData(base)
	if err != nil {
		return nil, 0, fmt.Errorf("base heap profile: %w", err)
	}
	pe, err := profile.ParseData(end)
	if err != nil {
		return nil, 0, fmt.Errorf("heap profile: %w", err)
	}
	period := pe.Period
	pb.Scale(-1)
	diff, err := profile.Merge([]*profile.Profile{pe, pb})
	if err != nil {
		return nil, 0, fmt.Errorf("diffing heap profiles: %w", err)
	}
	idx, err := valueIndex(diff, "inuse_space")
	if err != nil {
		return nil, 0, fmt.Errorf("heap profile: %w", err)
	}
	var out []HeapSample
	for _, s := range diff.Sample {
		if v := s.Value[idx]; v != 0 {
			out = append(out, HeapSample{frames(s), v})
		}
	}
	return out, period, nil
}

// GrowingSites sums samples by site and returns the sites that grew, most
// first, and their total growth.
func GrowingSites(samples []HeapSample) ([]Growth, int64) {
	type acc struct {
		bytes, big int64
		stack      []probe.Frame
	}
	sites := map[Site]*acc{}
	for _, hs := range samples {
		k := Of(hs.Frames)
		a := sites[k]
		if a == nil {
			a = &acc{}
			sites[k] = a
		}
		a.bytes += hs.Bytes
		if hs.Bytes > a.big {
			a.big, a.stack = hs.Bytes, hs.Frames
		}
	}
	var out []Growth
	var total int64
	for k, a := range sites {
		if a.bytes <= 0 {
			continue
		}
		total += a.bytes
		out = append(out, Growth{Site: k, Value: a.bytes, Unit: "bytes", Stack: TrimStack(a.stack)})
	}
	slices.SortFunc(out, func(a, b Growth) int {
		return cmp.Or(cmp.Compare(b.Value, a.Value), cmp.Compare(a.Function, b.Function))
	})
	for i := range out {
		out[i].Share = float64(out[i].Value) / float64(total)
		out[i].Detail = fmt.Sprintf("%s more in use at the end than at the start (%.0f%% of the growth)",
			human.Bytes(out[i].Value), 100*out[i].Share)
	}
	return out, total
}

// SiteBytes parses one heap profile into its in-use bytes by site,
// leaving out the samples whose stack skip reports (nil: none).
func SiteBytes(data []byte, skip func([]probe.Frame) bool) (map[Site]int64, error) {
	p, err := profile.ParseData(data)
	if err != nil {
		return nil, fmt.Errorf("heap profile: %w", err)
	}
	idx, err := valueIndex(p, "inuse_space")
	if err != nil {
		return nil, fmt.Errorf("heap profile: %w", err)
	}
	out := map[Site]int64{}
	for _, s := range p.Sample {
		fs := frames(s)
		if skip != nil && skip(fs) {
			continue
		}
		out[Of(fs)] += s.Value[idx]
	}
	return out, nil
}

package pprofsite

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/google/pprof/profile"

	"github.com/soaklab/soak/probe"
	"github.com/soaklab/soak/probe/label"
)

// Stack is one goroutine stack's count in a goroutine profile.
type Stack struct {
	// Key is the stack's functions and lines, innermost first.
	Key  string
	Site Site
	// Frames is the stack, innermost first (at most MaxStack frames).
	Frames []probe.Frame
	Count  int64
	// Routes counts the stack's goroutines by the HTTP request that
	// started them (nil when none carries the labels).
	Routes map[Route]int64
}

// Route is the HTTP request that started a goroutine: the method and
// route of the pprof labels soak's middleware sets on the goroutine that
// serves a request ([label.PprofMethod], [label.PprofRoute]), which every
// goroutine started from it inherits, down to those net/http's client or
// a driver starts on its behalf.
type Route struct{ Method, Route string }

// routeOf returns the Route of a sample's labels, and false when it has
// none.
func routeOf(s *profile.Sample) (Route, bool) {
	m, r := s.Label[label.PprofMethod], s.Label[label.PprofRoute]
	if len(r) != 1 {
		return Route{}, false
	}
	out := Route{Route: r[0]}
	if len(m) == 1 {
		out.Method = m[0]
	}
	return out, true
}

// GoroutineStacks parses a goroutine profile (pprof proto) into its
// stacks and counts, keyed by the stack's functions and lines, with the
// routes that started them.
func GoroutineStacks(data []byte) (map[string]*Stack, error) {
	p, err := profile.ParseData(data)
	if err != nil {
		return nil, fmt.Errorf("goroutine profile: %w", err)
	}
	if len(p.SampleType) == 0 {
		return nil, fmt.Errorf("goroutine profile: no sample type")
	}
	out := map[string]*Stack{}
	for _, s := range p.Sample {
		fs := frames(s)
		var b strings.Builder
		for _, f := range fs {
			fmt.Fprintf(&b, "%s:%d;", f.Function, f.Line)
		}
		k := b.String()
		sc := out[k]
		if sc == nil {
			sc = &Stack{Key: k, Site: Of(fs), Frames: TrimStack(fs)}
			out[k] = sc
		}
		sc.Count += s.Value[0]
		if r, ok := routeOf(s); ok {
			if sc.Routes == nil {
				sc.Routes = map[Route]int64{}
			}
			sc.Routes[r] += s.Value[0]
		}
	}
	return out, nil
}

// GoroutineGrowth compares two goroutine profiles of one process (pprof
// proto; base may be nil: growth from zero) and returns the places whose
// goroutines grew, most first, at most top (0: all). A place is a stack's
// first frame in the application's code (as the goroutine-leak detector
// groups them); each growth's Value is in goroutines, Share its part of
// the growth of every growing place, Stack that of its largest stack.
// engine/runner calls it to say where a live goroutine warning comes
// from.
func GoroutineGrowth(base, cur []byte, top int) ([]Growth, error) {
	var b map[string]*Stack
	if base != nil {
		var err error
		if b, err = GoroutineStacks(base); err != nil {
			return nil, err
		}
	}
	c, err := GoroutineStacks(cur)
	if err != nil {
		return nil, err
	}
	type group struct {
		site     Site
		was, now int64
		stack    *Stack
	}
	groups := map[Site]*group{}
	add := func(sc *Stack, was, now int64) {
		g := groups[sc.Site]
		if g == nil {
			g = &group{site: sc.Site}
			groups[sc.Site] = g
		}
		g.was += was
		g.now += now
		if now > 0 && (g.stack == nil || sc.Count > g.stack.Count) {
			g.stack = sc
		}
	}
	for _, sc := range c {
		add(sc, 0, sc.Count)
	}
	for _, sc := range b {
		add(sc, sc.Count, 0)
	}
	var out []Growth
	var total int64
	for _, g := range groups {
		if g.now <= g.was || g.stack == nil {
			continue
		}
		total += g.now - g.was
		out = append(out, Growth{Site: g.site, Value: g.now - g.was,
			Unit: "goroutines", Detail: fmt.Sprintf("%d then, %d now", g.was, g.now), Stack: g.stack.Frames})
	}
	slices.SortFunc(out, func(x, y Growth) int {
		return cmp.Or(cmp.Compare(y.Value, x.Value), cmp.Compare(x.Function, y.Function))
	})
	for i := range out {
		out[i].Share = float64(out[i].Value) / float64(total)
	}
	if top > 0 && len(out) > top {
		out = out[:top]
	}
	return out, nil
}

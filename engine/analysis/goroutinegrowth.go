package analysis

import (
	"cmp"
	"fmt"
	"slices"
)

// GoroutineGrowth compares two goroutine profiles of one process (pprof
// proto; base may be nil: growth from zero) and returns the places whose
// goroutines grew, most first, at most top (0: all). A place is a stack's
// first frame in the application's code (as the goroutine-leak detector
// groups them); each suspect's Value is its growth in goroutines, Share
// its part of the growth of every growing place, Stack that of its
// largest stack. engine/runner calls it to say where a live goroutine
// warning comes from.
func GoroutineGrowth(base, cur []byte, top int) ([]Suspect, error) {
	var b map[string]*stackCount
	if base != nil {
		var err error
		if b, err = goroutineStacks(base); err != nil {
			return nil, err
		}
	}
	c, err := goroutineStacks(cur)
	if err != nil {
		return nil, err
	}
	type group struct {
		site     site
		was, now int64
		stack    *stackCount
	}
	groups := map[site]*group{}
	add := func(sc *stackCount, was, now int64) {
		g := groups[sc.site]
		if g == nil {
			g = &group{site: sc.site}
			groups[sc.site] = g
		}
		g.was += was
		g.now += now
		if now > 0 && (g.stack == nil || sc.count > g.stack.count) {
			g.stack = sc
		}
	}
	for _, sc := range c {
		add(sc, 0, sc.count)
	}
	for _, sc := range b {
		add(sc, sc.count, 0)
	}
	var out []Suspect
	var total int64
	for _, g := range groups {
		if g.now <= g.was || g.stack == nil {
			continue
		}
		total += g.now - g.was
		out = append(out, Suspect{Function: g.site.fn, File: g.site.file, Line: g.site.line, Value: g.now - g.was,
			Unit: "goroutines", Detail: fmt.Sprintf("%d then, %d now", g.was, g.now), Stack: g.stack.stack})
	}
	slices.SortFunc(out, func(x, y Suspect) int {
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

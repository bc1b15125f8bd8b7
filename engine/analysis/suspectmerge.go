package analysis

import (
	"cmp"
	"fmt"
	"slices"
)

// mergeSuspects merges suspects shown alike (the same Location and Unit):
// stacks that differ only below the shown frame are one place in the
// report, so their Values (and Shares) are summed, the largest one's
// Stack, Detail and Profile kept, and the Detail says how many stacks
// were merged. The result is sorted by Value, most first.
func mergeSuspects(sus []Suspect) []Suspect {
	type key struct{ loc, unit string }
	idx := map[key]int{}
	stacks := map[int]int{}
	var out []Suspect
	for _, s := range sus {
		k := key{s.Location(), s.Unit}
		i, ok := idx[k]
		if !ok {
			idx[k] = len(out)
			stacks[len(out)] = 1
			out = append(out, s)
			continue
		}
		stacks[i]++
		o := &out[i]
		if s.Value > o.Value {
			o.Stack, o.Detail, o.Profile = s.Stack, s.Detail, s.Profile
		}
		o.Value += s.Value
		o.Share += s.Share
		o.Routes = append(o.Routes, s.Routes...)
	}
	for i := range out {
		if n := stacks[i]; n > 1 {
			out[i].Detail += fmt.Sprintf(" (%d stacks through this frame, summed)", n)
		}
	}
	slices.SortStableFunc(out, func(a, b Suspect) int { return cmp.Compare(b.Value, a.Value) })
	return out
}

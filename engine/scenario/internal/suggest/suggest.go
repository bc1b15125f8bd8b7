// Package suggest finds the known name closest to a mistyped one, for the
// "did you mean" hints of scenario files, templates and soak's CLI, so
// that a typo gets the same hint wherever it is made.
//
//	suggest.Closest("spwan_rate", []string{"spawn_rate", "users"}) // "spawn_rate"
//
// Its functions are pure and safe for concurrent use.
package suggest

import (
	"sort"
	"strings"
)

// Closest returns the name in known closest to got, or "" when none is
// close: the same letters ignoring case, '-' and '_' (spawn-rate for
// spawn_rate), or within an edit distance (a swap of two neighbours
// counts 1) of a third of the name's length, at least 1 (spwan_rate,
// retry_times). Ties go to the first name in sort order.
func Closest(got string, known []string) string {
	norm := func(s string) string {
		return strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(s))
	}
	g := norm(got)
	best, bestD := "", 1<<30
	for _, k := range known {
		if norm(k) == g {
			return k
		}
		d := editDistance(g, norm(k))
		if d < bestD || d == bestD && k < best {
			best, bestD = k, d
		}
	}
	if limit := max(1, len(g)/3); bestD <= limit {
		return best
	}
	return ""
}

// DidYouMean returns `did you mean "name"?` for the name Closest finds,
// or "" when none is close.
func DidYouMean(got string, known []string) string {
	if s := Closest(got, known); s != "" {
		return "did you mean \"" + s + "\"?"
	}
	return ""
}

// Hint returns DidYouMean's hint, or a list of the known names (at most
// 12) when nothing is close.
func Hint(got string, known []string) string {
	if h := DidYouMean(got, known); h != "" {
		return h
	}
	ks := append([]string(nil), known...)
	sort.Strings(ks)
	if len(ks) > 12 {
		ks = append(ks[:12], "...")
	}
	return "expected one of " + strings.Join(ks, ", ")
}

// editDistance is the Levenshtein distance of a and b (bytes), with
// adjacent transpositions counting 1 (Damerau's restricted form).
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		if a == b {
			return 0
		}
		return 1 << 20
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

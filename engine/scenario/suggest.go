package scenario

import (
	"sort"
	"strings"
)

// Suggest returns the name in known closest to got, for a "did you mean"
// hint, or "" when none is close: the same letters ignoring case, '-' and
// '_' (spawn-rate for spawn_rate), or within an edit distance (a swap of
// two neighbours counts 1) of a third of the name's length, at least 1
// (spwan_rate, retry_times). Ties go to the first name in sort order.
// soak's CLI uses it for its commands and flags too, so that a typo gets
// the same hint on the command line as in a scenario file.
func Suggest(got string, known []string) string {
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

// didYouMean formats the hint for Suggest, or a list of the known names
// when nothing is close.
func didYouMean(got string, known []string) string {
	if s := Suggest(got, known); s != "" {
		return "did you mean " + quote(s) + "?"
	}
	ks := append([]string(nil), known...)
	sort.Strings(ks)
	if len(ks) > 12 {
		ks = append(ks[:12], "...")
	}
	return "expected one of " + strings.Join(ks, ", ")
}

func quote(s string) string { return "\"" + s + "\"" }

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

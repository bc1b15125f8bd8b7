package flagx

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxWeight bounds one weight.
const MaxWeight = 1_000_000

// Weights is a list of NAME=WEIGHT pairs, comma-separated or given by
// repeating the flag: "AuthenticatedUser=70,WriterUser=0". A name may
// appear once; weights are integers in [0, MaxWeight] (0 turns the name
// off). The pairs keep their order.
type Weights struct {
	Names  []string
	Values []int
}

// Set appends the pairs of s.
func (w *Weights) Set(s string) error {
	for _, item := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(item), "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return fmt.Errorf("%q: want NAME=WEIGHT, e.g. AuthenticatedUser=70", item)
		}
		n, err := strconv.Atoi(strings.TrimSpace(val))
		if err != nil || n < 0 || n > MaxWeight {
			return fmt.Errorf("%q: the weight of %s is not an integer in [0, %d]", item, name, MaxWeight)
		}
		if w.Lookup(name) >= 0 {
			return fmt.Errorf("%q: %s is weighted twice", item, name)
		}
		w.Names, w.Values = append(w.Names, name), append(w.Values, n)
	}
	return nil
}

// Lookup returns the index of name, or -1.
func (w *Weights) Lookup(name string) int {
	for i, n := range w.Names {
		if n == name {
			return i
		}
	}
	return -1
}

// String writes the pairs back in the syntax Set reads.
func (w *Weights) String() string {
	if w == nil {
		return ""
	}
	parts := make([]string, len(w.Names))
	for i, n := range w.Names {
		parts[i] = n + "=" + strconv.Itoa(w.Values[i])
	}
	return strings.Join(parts, ",")
}

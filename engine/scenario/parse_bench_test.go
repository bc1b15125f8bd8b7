package scenario

import (
	"fmt"
	"strings"
	"testing"

	"github.com/soaklab/soak/engine/scenario/internal/bounds"
)

// bodyScenario is a valid scenario whose one request has a JSON body of
// about size bytes: an order's lines, a flow list of objects of 66 bytes
// and 5 nodes each (1 MiB is 16,000 lines, 80,000 nodes).
func bodyScenario(size int) []byte {
	var b strings.Builder
	b.WriteString("classes:\n  - name: A\n    tasks:\n      - post: /orders\n        json: [")
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, `{"sku": "SKU-%07d", "title": "Lighthouse keeper's brass lantern"}`, i)
	}
	b.WriteString("]\n")
	return []byte(b.String())
}

// BenchmarkParseBody parses and compiles a scenario with a 256 KiB and a
// 1 MiB JSON body: the time per byte must not grow with the size (the
// body's literal text was once appended by string concatenation, and a
// 1 MB body took 21.7 s).
func BenchmarkParseBody(b *testing.B) {
	for _, size := range []int{256 << 10, 1 << 20} {
		data := bodyScenario(size)
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse("body.yaml", data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// largestScenarios are valid files at the bounds of internal/bounds, one per
// way of being large: the most bytes (a 4 MiB string body), the most
// nodes in the parser's slowest shape (block mappings of bounds.MaxBlockKeys
// keys, whose parse is quadratic in the keys), the most nodes in its
// fastest (a flow list of numbers), and the 1 MiB body.
func largestScenarios() []struct {
	name string
	data []byte
} {
	const head = "classes:\n  - name: A\n    tasks:\n      - post: /orders\n        json:"
	str := head + ` "` + strings.Repeat("x", bounds.MaxFileBytes-len(head)-4) + "\"\n"
	var maps strings.Builder
	maps.WriteString(head + "\n")
	for range 49 {
		for k := range bounds.MaxBlockKeys {
			fmt.Fprintf(&maps, "          %s k%d: v\n", map[bool]string{true: "-", false: " "}[k == 0], k)
		}
	}
	list := head + " [" + strings.Repeat("1,", 98_990) + "1]\n"
	return []struct {
		name string
		data []byte
	}{
		{"4MiB-string", []byte(str)},
		{"block-mappings", []byte(maps.String())},
		{"flat-list", []byte(list)},
		{"1MiB-body", bodyScenario(1 << 20)},
	}
}

// TestLargestAccepted: the files BenchmarkParseLargest measures are
// within the bounds, each near one of them.
func TestLargestAccepted(t *testing.T) {
	for _, tc := range largestScenarios() {
		if _, err := Parse(tc.name, tc.data); err != nil {
			t.Errorf("%s (%d bytes): %v", tc.name, len(tc.data), err)
		}
	}
}

// BenchmarkParseLargest parses and compiles the largest files the bounds
// accept (docs/performance.md records the figures, and the peak RSS of
// soak validate on each).
func BenchmarkParseLargest(b *testing.B) {
	for _, tc := range largestScenarios() {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(tc.name, tc.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

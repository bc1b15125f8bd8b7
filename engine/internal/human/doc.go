// Package human formats the figures of soak's findings and reports for
// people, the same way everywhere: bytes in powers of 1024 ("12.0 MB"),
// milliseconds ("0.42 ms", "1,204 ms"), percentages ("0.42%"), counts
// with thousands separators ("1,234,567") and spans of time ("1 min 38
// s").
//
//	fmt.Printf("%s in %s (%s)\n", human.Bytes(3<<20), human.Span(98*time.Second), human.Percent(0.0042))
//	// 3.0 MB in 1 min 38 s (0.42%)
//
// Every function is pure and safe for concurrent use.
package human

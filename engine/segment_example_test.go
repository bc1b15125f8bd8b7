package engine_test

import (
	"fmt"

	"github.com/soaklab/soak/engine"
)

// Four engines share a plan of 200 users: each runs 50, and the users
// they number are disjoint.
func ExampleParseSegment() {
	for _, s := range []string{"1/4", "2/4", "3/4", "4/4"} {
		seg, err := engine.ParseSegment(s)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: %d of 200 users, positions %d, %d, %d, ...\n",
			seg, seg.Count(200), seg.Position(0), seg.Position(1), seg.Position(2))
	}
	// Output:
	// 1/4: 50 of 200 users, positions 0, 4, 8, ...
	// 2/4: 50 of 200 users, positions 1, 5, 9, ...
	// 3/4: 50 of 200 users, positions 2, 6, 10, ...
	// 4/4: 50 of 200 users, positions 3, 7, 11, ...
}

// Unequal parts: half, a quarter and a quarter of 10 users.
func ExampleSplit() {
	segs, err := engine.Split("1/2", "1/4", "1/4")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range segs {
		fmt.Printf("%s: %d of 10\n", s, s.Count(10))
	}
	// Output:
	// 1:1/2,1/4,1/4: 5 of 10
	// 2:1/2,1/4,1/4: 3 of 10
	// 3:1/2,1/4,1/4: 2 of 10
}

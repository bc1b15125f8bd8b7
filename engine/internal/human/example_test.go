package human_test

import (
	"fmt"
	"time"

	"github.com/soaklab/soak/engine/internal/human"
)

func Example() {
	fmt.Printf("%s in %s (%s of %s requests)\n", human.Bytes(3<<20), human.Span(98*time.Second), human.Percent(0.0042), human.Count(1204000))
	// Output: 3.0 MB in 1 min 38 s (0.42% of 1,204,000 requests)
}

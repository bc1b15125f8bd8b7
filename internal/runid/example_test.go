package runid_test

import (
	"fmt"
	"time"

	"github.com/soaklab/soak/internal/runid"
)

func ExampleNew() {
	id := runid.New(time.Date(2026, 11, 28, 5, 15, 0, 0, time.UTC))
	fmt.Println(id[:len(runid.Layout)], len(id)) // the random tail differs run to run
	// Output: 20261128T051500Z 21
}

package flagx_test

import (
	"flag"
	"fmt"

	"github.com/soaklab/soak/cmd/soak/internal/flagx"
)

func ExampleDuration() {
	var d flagx.Duration
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.Var(&d, "duration", "how long to load, e.g. 30m")
	_ = fs.Parse([]string{"--duration", "1h30m"})
	fmt.Println(d.D, d.IsSet)
	// Output: 1h30m0s true
}

func ExampleStages() {
	var s flagx.Stages
	_ = s.Set("1m:50,5m:200,1m:0")
	fmt.Println(len(s.Users), s.IsRate(), s.Total())
	// Output: 3 false 7m0s
}

func ExampleParseRate() {
	r, _ := flagx.ParseRate("6000/m")
	fmt.Println(r)
	// Output: 100
}

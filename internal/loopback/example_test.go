package loopback_test

import (
	"fmt"

	"github.com/soaklab/soak/internal/loopback"
)

func ExampleHost() {
	for _, h := range []string{"localhost", "127.0.0.2", "[::1]", "api.localhost", "0.0.0.0", "example.com"} {
		fmt.Println(h, loopback.Host(h))
	}
	// Output:
	// localhost true
	// 127.0.0.2 true
	// [::1] true
	// api.localhost true
	// 0.0.0.0 false
	// example.com false
}

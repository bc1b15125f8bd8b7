package clock_test

import (
	"context"
	"fmt"
	"time"

	"github.com/soaklab/soak/internal/clock"
)

func ExampleSleepUntil() {
	ctx, cancel := context.WithCancel(context.Background())
	fmt.Println(clock.SleepUntil(ctx, time.Now().Add(time.Millisecond)))
	cancel()
	fmt.Println(clock.SleepUntil(ctx, time.Now().Add(time.Hour))) // returns at once
	// Output:
	// true
	// false
}

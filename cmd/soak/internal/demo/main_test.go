package demo

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// Sample the heap every 4 KiB instead of 512 KiB, so the heap-leak
	// test reads the leaking function's bytes precisely, not from a handful
	// of samples.
	runtime.MemProfileRate = 4096
	// Generate the seed's stories once, not once per service: every test
	// starts services and the generation dominates a start under -race.
	// Each caller gets its own slice; the strings and tags are shared,
	// which no caller modifies.
	once := sync.OnceValue(generateSeedStories)
	seedStories = func() []seedStory { return slices.Clone(once()) }
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		if err := dropSharedSeed(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = max(code, 1)
		}
		os.Exit(code)
	}))
}

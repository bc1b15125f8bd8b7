package demo

import (
	"bytes"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// readProfile captures the named runtime profile (after a GC for "heap")
// and parses it as pprof would.
func readProfile(t *testing.T, name string) *profile.Profile {
	t.Helper()
	if name == "heap" {
		runtime.GC()
	}
	var buf bytes.Buffer
	if err := pprof.Lookup(name).WriteTo(&buf, 0); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Parse(&buf)
	if err != nil {
		t.Fatalf("parse %s profile: %v", name, err)
	}
	return p
}

// sampleSum adds value index vi of the samples whose stack has a function
// whose name ends with fn.
func sampleSum(p *profile.Profile, vi int, fn string) int64 {
	var n int64
	for _, s := range p.Sample {
		if stackHas(s, fn) {
			n += s.Value[vi]
		}
	}
	return n
}

func stackHas(s *profile.Sample, fn string) bool {
	for _, loc := range s.Location {
		for _, line := range loc.Line {
			if line.Function != nil && strings.HasSuffix(line.Function.Name, fn) {
				return true
			}
		}
	}
	return false
}

// goroutinesIn counts the goroutines whose stack has fn.
func goroutinesIn(t *testing.T, fn string) int64 {
	t.Helper()
	return sampleSum(readProfile(t, "goroutine"), 0, fn)
}

// settledGoroutinesIn polls the goroutine profile until want goroutines
// have fn on their stack, for at most 5 s, and returns the last count. A
// goroutine that was created but has not run yet is not attributed to its
// function in a profile, so a count taken right after a go statement can
// be short.
func settledGoroutinesIn(t *testing.T, fn string, want int64) int64 {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := goroutinesIn(t, fn)
		if n == want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// inuseBytesIn returns the heap profile's in-use bytes allocated under fn.
func inuseBytesIn(t *testing.T, fn string) int64 {
	t.Helper()
	p := readProfile(t, "heap")
	for i, st := range p.SampleType {
		if st.Type == "inuse_space" {
			return sampleSum(p, i, fn)
		}
	}
	t.Fatal("heap profile has no inuse_space")
	return 0
}

package engine

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Wait decides how long a closed-model user pauses after a task before the
// next one (Locust's wait_time). Implementations are small values; each one
// documents its zero value. Next is called between two tasks of one user,
// never concurrently for the same user, with the user's random source.
type Wait interface {
	// Next returns the pause after a task that took took (from its start
	// to its end). A result <= 0 means no pause.
	Next(r *rand.Rand, took time.Duration) time.Duration
	// Validate reports a setting that makes no sense, naming the field.
	Validate() error
}

// Every wait strategy is a value type (a copy is independent).
var (
	_ Wait = Constant{}
	_ Wait = Between{}
	_ Wait = ConstantPacing{}
	_ Wait = ConstantThroughput{}
)

// Constant pauses the same time after every task (Locust's constant).
// The zero value does not pause.
type Constant struct {
	D time.Duration // pause, >= 0
}

// Next returns c.D.
func (c Constant) Next(*rand.Rand, time.Duration) time.Duration { return c.D }

// Validate reports a negative pause.
func (c Constant) Validate() error {
	if c.D < 0 {
		return fmt.Errorf("D: negative (%v)", c.D)
	}
	return nil
}

// Between pauses a uniformly random time in [Min, Max] (Locust's between).
// The zero value does not pause.
type Between struct {
	Min, Max time.Duration // 0 <= Min <= Max
}

// Next returns a uniform random duration in [b.Min, b.Max].
func (b Between) Next(r *rand.Rand, _ time.Duration) time.Duration {
	if b.Max <= b.Min {
		return b.Min
	}
	return b.Min + time.Duration(r.Int64N(int64(b.Max-b.Min)+1))
}

// Validate reports negative bounds or Min > Max.
func (b Between) Validate() error {
	switch {
	case b.Min < 0:
		return fmt.Errorf("Min: negative (%v)", b.Min)
	case b.Max < b.Min:
		return fmt.Errorf("Max: %v is less than Min %v", b.Max, b.Min)
	}
	return nil
}

// ConstantPacing starts a task every Every at most: the pause is Every
// minus the time the task took, or none when it took longer (Locust's
// constant_pacing). The zero value does not pause.
type ConstantPacing struct {
	Every time.Duration // target time from one task's start to the next, >= 0
}

// Next returns p.Every - took, or 0.
func (p ConstantPacing) Next(_ *rand.Rand, took time.Duration) time.Duration {
	return max(p.Every-took, 0)
}

// Validate reports a negative period.
func (p ConstantPacing) Validate() error {
	if p.Every < 0 {
		return fmt.Errorf("Every: negative (%v)", p.Every)
	}
	return nil
}

// ConstantThroughput runs at most PerSecond tasks per second per user: it
// is ConstantPacing with Every = 1s/PerSecond (Locust's
// constant_throughput). The zero value does not pause.
type ConstantThroughput struct {
	PerSecond float64 // tasks per second per user, >= 0
}

// Next returns the pause that keeps the user at t.PerSecond tasks per second.
func (t ConstantThroughput) Next(r *rand.Rand, took time.Duration) time.Duration {
	if t.PerSecond <= 0 {
		return 0
	}
	return ConstantPacing{Every: time.Duration(float64(time.Second) / t.PerSecond)}.Next(r, took)
}

// Validate reports a negative or non-finite rate.
func (t ConstantThroughput) Validate() error {
	if !(t.PerSecond >= 0) || t.PerSecond > 1e9 {
		return fmt.Errorf("PerSecond: %v is not in [0, 1e9]", t.PerSecond)
	}
	return nil
}

package engine

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestWaits(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, c := range []struct {
		name string
		w    Wait
		took time.Duration
		want time.Duration
	}{
		{"constant zero value", Constant{}, time.Second, 0},
		{"constant", Constant{D: 2 * time.Second}, time.Second, 2 * time.Second},
		{"between zero value", Between{}, time.Second, 0},
		{"between equal", Between{Min: time.Second, Max: time.Second}, 0, time.Second},
		{"pacing zero value", ConstantPacing{}, time.Second, 0},
		{"pacing", ConstantPacing{Every: time.Second}, 300 * time.Millisecond, 700 * time.Millisecond},
		{"pacing overrun", ConstantPacing{Every: time.Second}, 2 * time.Second, 0},
		{"throughput zero value", ConstantThroughput{}, 0, 0},
		{"throughput", ConstantThroughput{PerSecond: 4}, 50 * time.Millisecond, 200 * time.Millisecond},
	} {
		if got := c.w.Next(r, c.took); got != c.want {
			t.Errorf("%s: Next = %v, want %v", c.name, got, c.want)
		}
		if err := c.w.Validate(); err != nil {
			t.Errorf("%s: Validate: %v", c.name, err)
		}
	}
}

func TestBetweenIsUniformInRange(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	b := Between{Min: time.Second, Max: 3 * time.Second}
	var sum time.Duration
	const n = 20000
	for range n {
		d := b.Next(r, 0)
		if d < b.Min || d > b.Max {
			t.Fatalf("Next = %v outside [%v, %v]", d, b.Min, b.Max)
		}
		sum += d
	}
	if mean := sum / n; mean < 1950*time.Millisecond || mean > 2050*time.Millisecond {
		t.Fatalf("mean %v, want about 2s", mean)
	}
}

func TestWaitValidate(t *testing.T) {
	for _, w := range []Wait{Constant{D: -1}, Between{Min: -1}, Between{Min: 2, Max: 1}, ConstantPacing{Every: -1}, ConstantThroughput{PerSecond: -1}} {
		if w.Validate() == nil {
			t.Errorf("%#v: Validate accepted it", w)
		}
	}
}

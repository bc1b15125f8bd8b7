package human

import (
	"testing"
	"time"
)

func TestFormats(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Bytes(512), "512 B"}, {Bytes(3 << 10), "3.0 KB"}, {Bytes(12 << 20), "12.0 MB"}, {Bytes(3 << 29), "1.50 GB"}, {Bytes(-2048), "-2.0 KB"},
		{FractionalBytes(640.4), "640 B"}, {FractionalBytes(-3482), "-3.4 KB"},
		{Millis(420 * time.Microsecond), "0.42 ms"}, {Millis(12 * time.Millisecond), "12 ms"}, {Millis(1204 * time.Millisecond), "1,204 ms"},
		{Percent(0), "0%"}, {Percent(0.0042), "0.42%"}, {Percent(0.125), "12.5%"}, {Percent(2.5), "250%"},
		{LimitPercent(0.8), "80%"}, {LimitPercent(0.005), "0.5%"},
		{Count(1234567), "1,234,567"}, {Count(-1234), "-1,234"}, {Count(12), "12"},
		{Minutes(150 * time.Second), "2.5"}, {Seconds(40 * time.Second), "40"},
		{Span(4200 * time.Millisecond), "4.2 s"}, {Span(45 * time.Second), "45 s"}, {Span(98 * time.Second), "1 min 38 s"},
		{Span(2 * time.Minute), "2 min"}, {Span(65 * time.Minute), "1 h 5 min"}, {Span(2 * time.Hour), "2 h"},
		{Per(time.Minute), "minute"}, {Per(10 * time.Second), "10 s"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if MiB(3<<20) != 3 {
		t.Errorf("MiB(3<<20) = %v", MiB(3<<20))
	}
}

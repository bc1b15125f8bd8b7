package report

import "testing"

// Expected strings are what CPython 3 prints for repr(x) and f"{x:2f}".
func TestPyRepr(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want string
	}{
		{0, "0.0"}, {2, "2.0"}, {-2.5, "-2.5"}, {0.1, "0.1"}, {1.0 / 3, "0.3333333333333333"},
		{187.71428571428572, "187.71428571428572"}, {0.0001, "0.0001"}, {0.00001, "1e-05"},
		{1.23e-7, "1.23e-07"}, {123456789012345, "123456789012345.0"},
		{9999999999999998, "9999999999999998.0"}, {1e16, "1e+16"}, {1.5e16, "1.5e+16"}, {1e22, "1e+22"},
	} {
		if got := pyRepr(c.f); got != c.want {
			t.Errorf("pyRepr(%v) = %q, want %q", c.f, got, c.want)
		}
	}
	for _, c := range []struct {
		f    float64
		want string
	}{{0, "0.000000"}, {12.5, "12.500000"}, {1.0 / 3, "0.333333"}, {2.0000005, "2.000001"}} {
		if got := pyFixed6(c.f); got != c.want {
			t.Errorf("pyFixed6(%v) = %q, want %q", c.f, got, c.want)
		}
	}
	if got := pyInt(42).String(); got != "42" {
		t.Errorf("pyInt(42) = %q", got)
	}
}

package report

import (
	"math"
	"strconv"
	"strings"
)

// pyNum is a number as Locust's Python code holds it: an int or a float.
// Python's csv module writes ints as digits and floats as repr(float), so
// the two print differently ("150" against "150.0"); Locust's CSV columns
// mix both, and pyNum keeps the distinction.
type pyNum struct {
	f     float64
	isInt bool
}

func pyInt(n int64) pyNum     { return pyNum{f: float64(n), isInt: true} }
func pyFloat(f float64) pyNum { return pyNum{f: f} }

func (n pyNum) String() string {
	if n.isInt {
		return strconv.FormatInt(int64(n.f), 10)
	}
	return pyRepr(n.f)
}

// pyRepr formats f as Python 3's repr(float) does: the shortest digits
// that read back to f, in fixed notation with at least one decimal ("4.0")
// when 1e-4 <= |f| < 1e16, otherwise in exponent notation with a signed
// exponent of at least two digits ("1e-05", "1.5e+16").
func pyRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a < 1e-4 || a >= 1e16 {
		return strconv.FormatFloat(f, 'e', -1, 64) // Go also writes at least two exponent digits
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// pyFixed6 formats f as Python's f"{f:2f}" (Locust's history Requests/s
// and Failures/s): fixed notation, six decimals.
func pyFixed6(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }

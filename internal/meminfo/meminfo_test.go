package meminfo

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestMemTotal(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		err  string // a part of the error; "" for none
	}{
		{"MemFree:  1 kB\nMemTotal:       16384 kB\nMemAvailable: 2 kB\n", 16384 * 1024, ""},
		{"MemTotal: 1 KB", 1024, ""},
		{"MemTotal: 0 kB\n", 0, ""},
		{"MemFree: 1 kB\nMemTotal: lots kB\n", 0, `/proc/meminfo:2: MemTotal "lots" is not a size in kB`},
		{"MemTotal:\n", 0, "/proc/meminfo:1: MemTotal has no value"},
		{"MemTotal: 1024\n", 0, `/proc/meminfo:1: MemTotal "1024" is not a size in kB`},
		{"MemTotal: 1 MB\n", 0, `MemTotal "1 MB" is not a size in kB`},
		{"MemTotal: -5 kB\n", 0, `MemTotal "-5" is not a size in kB`},
		{"MemTotal: 17592186044417 kB\n", 0, "is not a size in kB"}, // 2^44 + 1
		{"MemFree: 1 kB\n", 0, "/proc/meminfo: no MemTotal line"},
		{"", 0, "no MemTotal line"},
		{strings.Repeat("x", 5000) + "\nMemTotal: 1 kB\n", 0, "longer than 4096 bytes"},
	}
	for _, c := range cases {
		got, err := MemTotal(strings.NewReader(c.in), "/proc/meminfo")
		switch {
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("%.40q: %d, %v; want %d", c.in, got, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err) || !errors.Is(err, ErrFormat)):
			t.Errorf("%.40q: %v; want an ErrFormat with %q", c.in, err, c.err)
		}
	}
}

func TestMemTotalReadError(t *testing.T) {
	boom := errors.New("boom")
	_, err := MemTotal(iotest.ErrReader(boom), "/proc/meminfo")
	if !errors.Is(err, boom) || errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "/proc/meminfo") {
		t.Errorf("read error: %v", err)
	}
	// The file is read up to MemTotal only.
	r := io.MultiReader(strings.NewReader("MemTotal: 2 kB\n"), iotest.ErrReader(boom))
	if v, err := MemTotal(r, "m"); err != nil || v != 2048 {
		t.Errorf("%d, %v", v, err)
	}
}

func FuzzMemTotal(f *testing.F) {
	f.Add("MemTotal:       16384 kB\n")
	f.Add("MemFree: 1 kB\nMemTotal: 9223372036854775807 kB\n")
	f.Add("MemTotal: 1\n")
	f.Fuzz(func(t *testing.T, in string) {
		v, err := MemTotal(strings.NewReader(in), "fuzz")
		if err != nil {
			if v != 0 || !strings.HasPrefix(err.Error(), "meminfo: ") {
				t.Fatalf("%d with error %v", v, err)
			}
			return
		}
		if v < 0 || v%1024 != 0 || v > maxKB*1024 {
			t.Fatalf("MemTotal %d", v)
		}
	})
}

package meminfo

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrFormat is wrapped by every error of a file that is not meminfo's
// format; the message names the file and line.
var ErrFormat = errors.New("meminfo: bad format")

// maxKB bounds MemTotal: 2^44 kB is 16 PiB, far above any machine, and
// its bytes fit an int64.
const maxKB = 1 << 44

// maxLine bounds one line, in bytes; a line of /proc/meminfo is about 30.
const maxLine = 4 << 10

// MemTotal returns the MemTotal line of a /proc/meminfo file read from r,
// in bytes ("MemTotal:  16384 kB" is 16777216). name is the file's name
// for errors, which give its line: "meminfo: bad format:
// /proc/meminfo:3: MemTotal "lots" is not a size in kB". A file without
// a MemTotal line, a value that is not a whole number of kB (the only
// unit Linux writes) or above 16 PiB, or a line over 4 KiB is an error
// wrapping [ErrFormat]; a read error is returned wrapped as it is.
// MemTotal reads r up to the MemTotal line only.
func MemTotal(r io.Reader, name string) (int64, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 256), maxLine)
	for line := 1; sc.Scan(); line++ {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		switch {
		case len(f) == 0:
			return 0, fmt.Errorf("%w: %s:%d: MemTotal has no value", ErrFormat, name, line)
		case len(f) != 2 || !strings.EqualFold(f[1], "kB"):
			return 0, fmt.Errorf("%w: %s:%d: MemTotal %q is not a size in kB", ErrFormat, name, line, strings.TrimSpace(rest))
		}
		v, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || v < 0 || v > maxKB {
			return 0, fmt.Errorf("%w: %s:%d: MemTotal %q is not a size in kB", ErrFormat, name, line, f[0])
		}
		return v * 1024, nil
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return 0, fmt.Errorf("%w: %s: a line is longer than %d bytes", ErrFormat, name, maxLine)
		}
		return 0, fmt.Errorf("meminfo: reading %s: %w", name, err)
	}
	return 0, fmt.Errorf("%w: %s: no MemTotal line", ErrFormat, name)
}

//go:build !(linux || darwin || freebsd)

package analysis

import (
	"fmt"
	"runtime"
)

func describeDisk(string) (string, error) {
	return "", fmt.Errorf("disk: not measured on %s", runtime.GOOS)
}

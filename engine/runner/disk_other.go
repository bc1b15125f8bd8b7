//go:build !(linux || darwin || freebsd)

package runner

import (
	"fmt"
	"runtime"
)

func describeDisk(string) (string, error) {
	return "", fmt.Errorf("disk: not measured on %s", runtime.GOOS)
}

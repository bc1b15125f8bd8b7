//go:build linux || darwin || freebsd

package runner

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/soaklab/soak/engine/internal/human"
)

// describeDisk returns the file system type, size and free space of the
// file system holding dir.
func describeDisk(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("disk: %v", err)
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(abs, &st); err != nil {
		return "", fmt.Errorf("disk: statfs %s: %v", abs, err)
	}
	size := uint64(st.Blocks) * uint64(st.Bsize)
	free := uint64(st.Bavail) * uint64(st.Bsize)
	fs := mountType(abs)
	if fs != "" {
		fs += ", "
	}
	return fmt.Sprintf("%s%s total, %s free (file system of %s)", fs, human.Bytes(int64(size)), human.Bytes(int64(free)), abs), nil
}

// mountType returns the type of the longest mount point of /proc/mounts
// that holds path, or "".
func mountType(path string) string {
	f, err := os.Open("/proc/mounts")
	if err != nil {
		return ""
	}
	defer f.Close()
	best, typ := "", ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fl := strings.Fields(sc.Text())
		if len(fl) < 3 {
			continue
		}
		mp := fl[1]
		if (path == mp || strings.HasPrefix(path, strings.TrimSuffix(mp, "/")+"/")) && len(mp) > len(best) {
			best, typ = mp, printable(fl[2])
		}
	}
	return typ
}

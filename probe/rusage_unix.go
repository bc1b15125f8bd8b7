//go:build unix

package probe

import (
	"runtime"
	"syscall"
)

func readRusage(s *ProcessSnapshot) error {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return err
	}
	s.CPUUserSeconds = float64(ru.Utime.Sec) + float64(ru.Utime.Usec)/1e6
	s.CPUSystemSeconds = float64(ru.Stime.Sec) + float64(ru.Stime.Usec)/1e6
	s.CPUSeconds = s.CPUUserSeconds + s.CPUSystemSeconds
	s.MaxRSSBytes = int64(ru.Maxrss)
	if runtime.GOOS == "linux" {
		s.MaxRSSBytes *= 1024 // Linux reports kilobytes, macOS bytes
	}
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err == nil {
		s.MaxFDs = int64(min(rl.Cur, 1<<62))
	}
	return nil
}

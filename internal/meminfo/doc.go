// Package meminfo reads the machine's memory from Linux's /proc/meminfo,
// for the probe (a process's memory limit when no cgroup sets one) and
// for the report's hardware section. One parser, so the two never
// disagree on the same file.
//
//	f, err := os.Open("/proc/meminfo")
//	if err != nil {
//		return 0, err // not Linux
//	}
//	defer f.Close()
//	bytes, err := meminfo.MemTotal(f, "/proc/meminfo") // 16384 kB -> 16777216
//
// MemTotal is safe for concurrent use; it keeps no state.
package meminfo

package probe

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/soaklab/soak/internal/meminfo"
	"github.com/soaklab/soak/internal/redact"
)

// ProcessSnapshot holds the operating system's view of the process.
// Unavailable says plainly which figures the platform does not give (their
// fields stay 0), e.g. "cgroup memory limit: none set".
type ProcessSnapshot struct {
	PID        int     `json:"pid"`
	CPUSeconds float64 `json:"cpu_seconds"` // user + system, cumulative
	// CPUUserSeconds and CPUSystemSeconds split CPUSeconds.
	CPUUserSeconds   float64 `json:"cpu_user_seconds"`
	CPUSystemSeconds float64 `json:"cpu_system_seconds"`
	RSSBytes         int64   `json:"rss_bytes"`
	MaxRSSBytes      int64   `json:"max_rss_bytes"`
	OpenFDs          int     `json:"open_fds"`
	MaxFDs           int64   `json:"max_fds"`
	// MachineMemoryBytes is the host's total memory; CgroupMemoryLimitBytes
	// the container's limit (cgroup v2 memory.max or v1
	// memory.limit_in_bytes), 0 when none is set.
	MachineMemoryBytes     int64 `json:"machine_memory_bytes"`
	CgroupMemoryLimitBytes int64 `json:"cgroup_memory_limit_bytes"`
	CgroupMemoryUsageBytes int64 `json:"cgroup_memory_usage_bytes"`
	// MemoryLimitBytes is the tighter of the machine's memory and the
	// cgroup limit: the denominator of "memory usage %".
	MemoryLimitBytes int64 `json:"memory_limit_bytes"`
	// CgroupCPULimitCores is the cgroup CPU quota in cores (cpu.max or
	// cfs_quota/cfs_period), 0 when none is set.
	CgroupCPULimitCores float64  `json:"cgroup_cpu_limit_cores"`
	Unavailable         []string `json:"unavailable,omitempty"`
}

// procRoot is the root of the file system read for process figures.
var procRoot = "/"

func readProcess() (ProcessSnapshot, []string) {
	s := ProcessSnapshot{PID: os.Getpid()}
	var errs []string
	miss := func(what string, err error) {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, errUnsupported) {
			s.Unavailable = append(s.Unavailable, what+": not provided by "+runtime.GOOS)
			return
		}
		errs = append(errs, "process "+what+": "+redact.Error(err))
	}
	if err := readRusage(&s); err != nil {
		miss("cpu time", err)
	}
	if b, err := os.ReadFile(procRoot + "proc/self/statm"); err != nil {
		miss("rss", err)
	} else if pages, err := parseStatmRSS(b); err != nil {
		errs = append(errs, "process rss: "+err.Error())
	} else {
		s.RSSBytes = pages * int64(os.Getpagesize())
	}
	if n, err := countFDs(procRoot + "proc/self/fd"); err != nil {
		miss("open fds", err)
	} else {
		s.OpenFDs = n
	}
	if v, err := machineMemory(); err != nil {
		miss("machine memory", err)
	} else {
		s.MachineMemoryBytes = v
	}
	cg := cachedCgroup()
	s.CgroupMemoryLimitBytes, s.CgroupMemoryUsageBytes, s.CgroupCPULimitCores = cg.memLimit, cg.memUsage, cg.cpuCores
	s.Unavailable = append(s.Unavailable, cg.notes...)
	s.MemoryLimitBytes = s.MachineMemoryBytes
	if l := s.CgroupMemoryLimitBytes; l > 0 && (l < s.MemoryLimitBytes || s.MemoryLimitBytes == 0) {
		s.MemoryLimitBytes = l
	}
	return s, errs
}

var (
	memTotalOnce sync.Once
	memTotal     int64
	memTotalErr  error

	cgroupMu   sync.Mutex
	cgroupAt   time.Time
	cgroupLast cgroupInfo
)

// machineMemory reads MemTotal once: it does not change while we run.
func machineMemory() (int64, error) {
	memTotalOnce.Do(func() {
		f, err := os.Open(procRoot + "proc/meminfo")
		if err != nil {
			memTotalErr = err
			return
		}
		defer f.Close()
		memTotal, memTotalErr = meminfo.MemTotal(f, "/proc/meminfo")
	})
	return memTotal, memTotalErr
}

// cachedCgroup rereads the cgroup files at most once a second (half a
// dozen file reads were a third of a snapshot's cost).
func cachedCgroup() cgroupInfo {
	cgroupMu.Lock()
	defer cgroupMu.Unlock()
	if now := time.Now(); now.Sub(cgroupAt) >= time.Second {
		cgroupLast, cgroupAt = readCgroup(procRoot), now
	}
	return cgroupLast
}

var errUnsupported = errors.New("probe: not supported on this platform")

func countFDs(dir string) (int, error) {
	f, err := os.Open(dir)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return 0, err
	}
	return max(len(names)-1, 0), nil // minus the descriptor used to read the directory
}

// parseStatmRSS returns the resident pages, the second field of
// /proc/self/statm.
func parseStatmRSS(b []byte) (int64, error) {
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0, fmt.Errorf("statm: %d fields, want at least 2", len(f))
	}
	v, err := strconv.ParseInt(string(f[1]), 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("statm: resident %q is not a page count", f[1])
	}
	return v, nil
}

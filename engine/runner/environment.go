package runner

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/internal/buildinfo"
	"github.com/soaklab/soak/internal/meminfo"
)

// CollectEnvironment measures this machine: OS, kernel, Go, CPU model and
// cores, RAM, and the disk holding dir ("" means the working directory).
// It never fails: what it cannot read is named in Missing.
func CollectEnvironment(dir string) *capture.Environment {
	e := &capture.Environment{GoVersion: runtime.Version(), Cores: runtime.NumCPU(),
		Network: "loopback only (127.0.0.0/8, ::1): no network between soak and the service"}
	e.Soak = buildinfo.Version()
	arch := runtime.GOOS + "/" + runtime.GOARCH
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		if name := parseOSRelease(b); name != "" {
			e.OS = name + ", " + arch
		}
	}
	if e.OS == "" {
		e.OS = arch
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		e.Kernel = strings.TrimSpace(string(b))
	} else {
		e.SetMissing("Kernel", "no /proc/sys/kernel/osrelease on "+runtime.GOOS)
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		e.CPUModel = parseCPUModel(b)
	}
	if e.CPUModel == "" {
		e.SetMissing("CPU", "no model name in /proc/cpuinfo on "+runtime.GOOS)
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if v, err := meminfo.MemTotal(bytes.NewReader(b), "/proc/meminfo"); err == nil {
			e.RAMBytes = v
		} else {
			e.SetMissing("RAM", err.Error())
		}
	} else {
		e.SetMissing("RAM", "no /proc/meminfo on "+runtime.GOOS)
	}
	if dir == "" {
		dir = "."
	}
	if d, err := describeDisk(dir); err == nil {
		e.Disk = d
	} else {
		e.SetMissing("Disk", err.Error())
	}
	return e
}

// parseOSRelease returns PRETTY_NAME (else NAME VERSION) from
// /etc/os-release.
func parseOSRelease(b []byte) string {
	vals := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		if u, err := strconv.Unquote(v); err == nil {
			v = u
		} else {
			v = strings.Trim(v, `"'`)
		}
		vals[k] = printable(v)
	}
	if v := vals["PRETTY_NAME"]; v != "" {
		return v
	}
	return strings.TrimSpace(vals["NAME"] + " " + vals["VERSION"])
}

// parseCPUModel returns the first "model name" of /proc/cpuinfo.
func parseCPUModel(b []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return printable(strings.Join(strings.Fields(v), " "))
		}
	}
	return ""
}

// printable keeps the printable ASCII of s, at most 120 bytes, so that a
// value read from the system is safe in a Markdown table.
func printable(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < 120; i++ {
		if c := s[i]; c >= 0x20 && c < 0x7f && c != '|' {
			b.WriteByte(c)
		}
	}
	return strings.TrimSpace(b.String())
}

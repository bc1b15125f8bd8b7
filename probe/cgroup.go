package probe

import (
	"bufio"
	"bytes"
	"os"
	"path"
	"strconv"
	"strings"
)

// cgroupInfo is what the process's cgroup says about its limits.
type cgroupInfo struct {
	memLimit, memUsage int64   // bytes; 0 = none / unknown
	cpuCores           float64 // 0 = no quota
	notes              []string
}

// unlimited is the threshold above which a cgroup v1 limit means "none"
// (v1 reports an unset limit as a page-rounded MaxInt64).
const unlimited = int64(1) << 62

// readCgroup reads cgroup v2 (unified) or v1 limits for the process, with
// root as the file system root ("/" outside tests).
func readCgroup(root string) cgroupInfo {
	var ci cgroupInfo
	b, err := os.ReadFile(root + "proc/self/cgroup")
	if err != nil {
		ci.notes = append(ci.notes, "cgroup limits: /proc/self/cgroup not readable")
		return ci
	}
	paths := parseProcCgroup(b)
	fs := root + "sys/fs/cgroup"
	if p, ok := paths[""]; ok && exists(fs+"/cgroup.controllers") {
		dir := firstDir(fs+"/"+p, fs)
		ci.memLimit = readLimit(dir+"/memory.max", &ci, "cgroup memory limit")
		ci.memUsage = readLimit(dir+"/memory.current", &ci, "cgroup memory usage")
		if q, err := os.ReadFile(dir + "/cpu.max"); err == nil {
			ci.cpuCores = parseCPUMax(q)
		}
		return ci
	}
	if p, ok := paths["memory"]; ok {
		dir := firstDir(fs+"/memory/"+p, fs+"/memory")
		ci.memLimit = readLimit(dir+"/memory.limit_in_bytes", &ci, "cgroup memory limit")
		ci.memUsage = readLimit(dir+"/memory.usage_in_bytes", &ci, "cgroup memory usage")
	} else {
		ci.notes = append(ci.notes, "cgroup memory limit: no memory controller")
	}
	for _, c := range []string{"cpu", "cpu,cpuacct", "cpuacct,cpu"} {
		p, ok := paths[c]
		if !ok {
			continue
		}
		dir := firstDir(fs+"/"+c+"/"+p, fs+"/"+c, fs+"/cpu")
		q, err1 := os.ReadFile(dir + "/cpu.cfs_quota_us")
		per, err2 := os.ReadFile(dir + "/cpu.cfs_period_us")
		if err1 == nil && err2 == nil {
			ci.cpuCores = parseCPUMax([]byte(strings.TrimSpace(string(q)) + " " + strings.TrimSpace(string(per))))
		}
		break
	}
	return ci
}

// parseProcCgroup maps each controller list ("" for the v2 hierarchy,
// "memory", "cpu,cpuacct") to its path, from /proc/self/cgroup lines
// "id:controllers:path".
func parseProcCgroup(b []byte) map[string]string {
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), ":", 3)
		if len(f) != 3 || !strings.HasPrefix(f[2], "/") {
			continue
		}
		p := path.Clean(f[2])
		if strings.Contains(p, "..") {
			continue
		}
		m[f[1]] = p
		for _, c := range strings.Split(f[1], ",") {
			if _, ok := m[c]; !ok && c != "" {
				m[c] = p
			}
		}
	}
	return m
}

// parseCPUMax reads "quota period" (cgroup v2 cpu.max, or v1 quota and
// period joined) as cores; "max" or a negative quota means none (0).
func parseCPUMax(b []byte) float64 {
	f := strings.Fields(string(b))
	if len(f) != 2 || f[0] == "max" {
		return 0
	}
	q, err1 := strconv.ParseFloat(f[0], 64)
	p, err2 := strconv.ParseFloat(f[1], 64)
	if err1 != nil || err2 != nil || q <= 0 || p <= 0 {
		return 0
	}
	return q / p
}

func readLimit(file string, ci *cgroupInfo, what string) int64 {
	b, err := os.ReadFile(file)
	if err != nil {
		ci.notes = append(ci.notes, what+": "+path.Base(file)+" not readable")
		return 0
	}
	s := strings.TrimSpace(string(b))
	if s == "max" {
		ci.notes = append(ci.notes, what+": none set")
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		ci.notes = append(ci.notes, what+": "+path.Base(file)+" unreadable value")
		return 0
	}
	if v >= unlimited {
		ci.notes = append(ci.notes, what+": none set")
		return 0
	}
	return v
}

// firstDir returns the first of dirs that exists (a cgroup namespace hides
// the host path, so the mount root is the fallback).
func firstDir(dirs ...string) string {
	for _, d := range dirs {
		if exists(d) {
			return d
		}
	}
	return dirs[len(dirs)-1]
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

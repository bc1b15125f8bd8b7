package probe

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestParseStatm(t *testing.T) {
	if v, err := parseStatmRSS([]byte("1000 250 30 1 0 100 0\n")); err != nil || v != 250 {
		t.Errorf("got %d, %v", v, err)
	}
	for _, bad := range []string{"", "1", "1 x", "1 -2"} {
		if _, err := parseStatmRSS([]byte(bad)); err == nil || !strings.Contains(err.Error(), "statm") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestParseCgroupFiles(t *testing.T) {
	m := parseProcCgroup([]byte("12:memory:/a/b\n4:cpu,cpuacct:/c\n0::/d/e\nbroken\n3:pids:../x\n"))
	if m["memory"] != "/a/b" || m["cpu"] != "/c" || m["cpu,cpuacct"] != "/c" || m[""] != "/d/e" {
		t.Errorf("paths = %v", m)
	}
	for in, want := range map[string]float64{"max 100000": 0, "200000 100000": 2, "-1 100000": 0, "50000 100000": 0.5, "x": 0} {
		if got := parseCPUMax([]byte(in)); got != want {
			t.Errorf("parseCPUMax(%q) = %v, want %v", in, got, want)
		}
	}
}

func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadCgroup(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  cgroupInfo // notes: only checked to contain want.notes[0]
	}{
		{"v2", map[string]string{
			"proc/self/cgroup": "0::/svc\n", "sys/fs/cgroup/cgroup.controllers": "cpu memory\n",
			"sys/fs/cgroup/svc/memory.max": "536870912\n", "sys/fs/cgroup/svc/memory.current": "1048576\n",
			"sys/fs/cgroup/svc/cpu.max": "150000 100000\n",
		}, cgroupInfo{memLimit: 512 << 20, memUsage: 1 << 20, cpuCores: 1.5}},
		// v1 in a cgroup namespace: the host path is not mounted, the root is ours.
		{"v1", map[string]string{
			"proc/self/cgroup":                           "4:memory:/host/path\n3:cpu,cpuacct:/host/path\n",
			"sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n", "sys/fs/cgroup/memory/memory.usage_in_bytes": "4096\n",
			"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": "-1\n", "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n",
		}, cgroupInfo{memUsage: 4096, notes: []string{"cgroup memory limit: none set"}}},
		{"none", nil, cgroupInfo{notes: []string{"/proc/self/cgroup not readable"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir() + "/"
			writeFiles(t, root, tc.files)
			ci := readCgroup(root)
			if ci.memLimit != tc.want.memLimit || ci.memUsage != tc.want.memUsage || ci.cpuCores != tc.want.cpuCores {
				t.Errorf("got %+v, want %+v", ci, tc.want)
			}
			if len(tc.want.notes) > 0 && !strings.Contains(strings.Join(ci.notes, ";"), tc.want.notes[0]) {
				t.Errorf("notes %q lack %q", ci.notes, tc.want.notes[0])
			}
		})
	}
}

func TestProcessSnapshot(t *testing.T) {
	s, errs := readProcess()
	if len(errs) > 0 {
		t.Errorf("errors: %v", errs)
	}
	if runtime.GOOS == "linux" && (s.RSSBytes <= 0 || s.OpenFDs <= 0 || s.MachineMemoryBytes <= 0 || s.CPUSeconds <= 0 || s.MemoryLimitBytes <= 0) {
		t.Errorf("linux process snapshot = %+v", s)
	}
	runtime.GC() // the live heap is known after the first GC
	snap, _ := New().Snapshot(context.Background())
	if snap.Runtime.LiveHeapBytes == 0 || snap.Runtime.Goroutines == 0 || snap.Runtime.GOMAXPROCS == 0 || len(snap.Runtime.Unavailable) != 0 {
		t.Errorf("runtime = %+v", snap.Runtime)
	}
}

func FuzzProcParsers(f *testing.F) {
	f.Add("1 2 3\n", "0::/a\n1:memory:/b")
	f.Add("1 2 3", "max 100000")
	f.Fuzz(func(t *testing.T, a, b string) {
		_, _ = parseStatmRSS([]byte(a))
		for _, p := range parseProcCgroup([]byte(b)) {
			if !strings.HasPrefix(p, "/") || strings.Contains(p, "..") {
				t.Fatalf("unsafe cgroup path %q", p)
			}
		}
		if c := parseCPUMax([]byte(b)); c < 0 {
			t.Fatalf("negative cores %v", c)
		}
	})
}

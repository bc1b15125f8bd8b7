package runner

import (
	"strings"
	"testing"
)

func TestEnvironmentParsers(t *testing.T) {
	if got := parseOSRelease([]byte("NAME=\"Debian GNU/Linux\"\nVERSION=\"12 (bookworm)\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n")); got != "Debian GNU/Linux 12 (bookworm)" {
		t.Errorf("os-release: %q", got)
	}
	if got := parseOSRelease([]byte("NAME=Alpine\nVERSION=3.20\n")); got != "Alpine 3.20" {
		t.Errorf("os-release without PRETTY_NAME: %q", got)
	}
	if got := parseCPUModel([]byte("processor\t: 0\nmodel name\t: AMD EPYC   7B13 64-Core Processor\n")); got != "AMD EPYC 7B13 64-Core Processor" {
		t.Errorf("cpuinfo: %q", got)
	}
	if got := printable("a|b\x00c\u00e9d"); got != "abcd" {
		t.Errorf("printable: %q", got)
	}
}

func TestCollectEnvironment(t *testing.T) {
	e := CollectEnvironment(t.TempDir())
	if e.GoVersion == "" || e.Cores <= 0 || e.OS == "" || e.Network == "" {
		t.Errorf("environment %+v", e)
	}
	// Every field is measured or says why not.
	for field, v := range map[string]string{"CPU": e.CPUModel, "Disk": e.Disk, "Kernel": e.Kernel} {
		if v == "" && e.Missing[field] == "" {
			t.Errorf("%s neither measured nor explained", field)
		}
	}
	if e.RAMBytes == 0 && e.Missing["RAM"] == "" {
		t.Error("RAM neither measured nor explained")
	}
}

func FuzzEnvironmentParsers(f *testing.F) {
	f.Add([]byte("PRETTY_NAME=\"Debian\"\nmodel name : x\n"))
	f.Add([]byte("NAME='x\nVERSION=\"\\q\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, s := range []string{parseOSRelease(b), parseCPUModel(b)} {
			if strings.ContainsAny(s, "|\n\r") || len(s) > 240 {
				t.Fatalf("unsafe value %q", s)
			}
		}
	})
}

//go:build unix

package scenario

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/soaklab/soak/engine/scenario/internal/bounds"
)

// csvScenario is a scenario that reads the CSV file path as source d.
func csvScenario(path string) string {
	return "data:\n  d: {csv: '" + path + "'}\nclasses:\n  - {name: A, tasks: [{get: '/{{d.username}}'}]}\n"
}

// writeFile writes data to dir/name, making dir/name's directory.
func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// loadCSV loads a scenario in dir that reads the CSV file path, with
// dataDirs allowed.
func loadCSV(t *testing.T, dir, path string, dataDirs ...string) error {
	t.Helper()
	_, err := LoadContext(context.Background(), writeFile(t, dir, "s.yaml", csvScenario(path)), LoadOptions{DataDirs: dataDirs})
	return err
}

// TestDataPathsStayInside: a data file outside the scenario's directory,
// by an absolute path, by "..", or by a symbolic link, is refused with
// the field's position; each is read when --data-dir (DataDirs) allows
// the directory it is in.
func TestDataPathsStayInside(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "scenarios")
	shared := filepath.Join(root, "shared")
	abs := writeFile(t, shared, "accounts.csv", accountsCSV)
	writeFile(t, dir, "in/accounts.csv", accountsCSV)
	if err := os.Symlink(abs, filepath.Join(dir, "abslink.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../shared/accounts.csv", filepath.Join(dir, "rellink.csv")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{abs, `"` + abs + `" is outside the scenario's directory`},
		{"../shared/accounts.csv", `"../shared/accounts.csv" is outside the scenario's directory`},
		{"in/../../shared/accounts.csv", `"in/../../shared/accounts.csv" is outside the scenario's directory`},
		{"abslink.csv", `"abslink.csv" leads out of its directory through a symbolic link`},
		{"rellink.csv", `"rellink.csv" leads out of its directory through a symbolic link`},
	} {
		err := loadCSV(t, dir, tc.path)
		if err == nil || !strings.Contains(err.Error(), "s.yaml:2:12: data.d.csv: "+tc.want) ||
			!strings.Contains(err.Error(), "--data-dir") {
			t.Errorf("csv: %s: %v\nwant %s", tc.path, err, tc.want)
		}
		if err := loadCSV(t, dir, tc.path, shared); err != nil {
			t.Errorf("csv: %s with --data-dir %s: %v", tc.path, shared, err)
		}
		if err := loadCSV(t, dir, tc.path, "../shared"); err == nil {
			t.Errorf("csv: %s with a --data-dir relative to the working directory, not the scenario: read", tc.path)
		}
	}
	if err := loadCSV(t, dir, "in/accounts.csv"); err != nil {
		t.Errorf("a file inside: %v", err)
	}
}

// TestDataProcRefused: /proc/self/environ is refused without a byte of
// it in the error, even in an allowed directory (it says it holds 0
// bytes, then produces the environment). The test reads the file itself
// and looks for each of its entries in the error. (cmd/soak's
// TestProcEnvironNotEchoed runs soak with a secret set in its
// environment.)
func TestDataProcRefused(t *testing.T) {
	environ, err := os.ReadFile("/proc/self/environ")
	if err != nil || len(environ) == 0 {
		t.Skip("no /proc/self/environ:", err)
	}
	dir := t.TempDir()
	for _, dirs := range [][]string{nil, {"/proc/self"}} {
		err := loadCSV(t, dir, "/proc/self/environ", dirs...)
		if err == nil {
			t.Fatalf("--data-dir %v: read", dirs)
		}
		for _, kv := range strings.Split(string(environ), "\x00") {
			if len(kv) > 3 && strings.Contains(err.Error(), kv) {
				t.Fatalf("--data-dir %v: the error holds %q: %v", dirs, kv, err)
			}
		}
	}
	if err := loadCSV(t, dir, "/proc/self/environ", "/proc/self"); !strings.Contains(err.Error(), "a /proc or /sys file") {
		t.Errorf("in an allowed directory: %v", err)
	}
}

// TestDataNotRegularRefused: a FIFO (which would block a reader until a
// writer came) and /dev/zero (endless) are refused by their type, the
// test ending at all showing that neither was read.
func TestDataNotRegularRefused(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.csv"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.csv"), 0o700); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"fifo.csv":  `cannot read "fifo.csv": not a regular file: a named pipe (FIFO)`,
		"sub.csv":   `cannot read "sub.csv": not a regular file: a directory`,
		"/dev/zero": `cannot read "/dev/zero": not a regular file: a device`,
	} {
		if err := loadCSV(t, dir, path, "/dev"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("csv: %s: %v\nwant %s", path, err, want)
		}
	}
}

// TestDataSizeRefusedBeforeReading: a 1 GiB CSV (sparse: it takes no
// disk) is refused from its size; two files that together pass
// bounds.MaxDataBytes are refused at the second.
func TestDataSizeRefusedBeforeReading(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.csv")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := loadCSV(t, dir, "big.csv"); err == nil || !strings.Contains(err.Error(), `"big.csv": 1073741824 bytes; the data files of a scenario may hold 64 MiB in all`) {
		t.Errorf("1 GiB: %v", err)
	}
	if err := os.Truncate(big, bounds.MaxDataBytes-int64(len(accountsCSV))+1); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "a.csv", accountsCSV)
	src := "data:\n  a: {csv: a.csv}\n  b: {csv: big.csv}\n" + minimal
	_, err = LoadContext(context.Background(), writeFile(t, dir, "two.yaml", src), LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "two.yaml:3:12: data.b.csv: \"big.csv\"") || !strings.Contains(err.Error(), "64 MiB in all") {
		t.Errorf("two files: %v", err)
	}
}

// TestScenarioFileRefused: the scenario file itself must be a regular
// file of at most bounds.MaxFileBytes; none of these is read.
func TestScenarioFileRefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "s.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	if f, err := os.Create(big); err != nil || f.Truncate(1<<30) != nil || f.Close() != nil {
		t.Fatal("sparse file", err)
	}
	for name, want := range map[string]string{
		fifo:        "cannot read the scenario: not a regular file: a named pipe (FIFO)",
		dir:         "cannot read the scenario: not a regular file: a directory",
		"/dev/zero": "cannot read the scenario: not a regular file: a device",
		big:         "cannot read the scenario: larger than 4 MiB",
	} {
		_, err := Load(name)
		var probs Problems
		if !errors.As(err, &probs) || len(probs) != 1 || probs[0].Error() != name+": "+want {
			t.Errorf("Load(%s) = %v\nwant %s: %s", name, err, name, want)
		}
	}
}

// TestLoadContextStopsReadingCSV: a context done while a CSV file is
// read stops the read: the same countdown lets a scenario with a short
// CSV through, and stops one whose CSV has 50,000 rows (asked every 1024).
func TestLoadContextStopsReadingCSV(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("username,password\n")
	for range 50_000 {
		b.WriteString("u,p\n")
	}
	writeFile(t, dir, "short/accounts.csv", accountsCSV)
	writeFile(t, dir, "long/accounts.csv", b.String())
	for _, tc := range []struct {
		dir  string
		want error
	}{{"short", nil}, {"long", context.Canceled}} {
		c := &countdown{Context: context.Background()}
		c.n.Store(20)
		_, err := LoadContext(c, writeFile(t, dir, tc.dir+"/s.yaml", csvScenario("accounts.csv")), LoadOptions{})
		if !errors.Is(err, tc.want) {
			t.Errorf("%s CSV: LoadContext = %v; want %v", tc.dir, err, tc.want)
		}
	}
}

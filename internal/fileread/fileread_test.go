//go:build unix

package fileread

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
)

func write(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		data string
		max  int64
		want error
	}{
		{"", 10, nil},
		{"a,b\n1,2\n", 8, nil},
		{"a,b\n1,2\n", 7, ErrTooLarge},
	} {
		b, err := ReadFile(write(t, dir, "f", tc.data), tc.max)
		if !errors.Is(err, tc.want) || err == nil && string(b) != tc.data {
			t.Errorf("ReadFile(%q, %d) = %q, %v; want %v", tc.data, tc.max, b, err, tc.want)
		}
	}
}

// TestRefusedByType: a directory, a FIFO nobody writes to and /dev/zero
// are refused before a byte is read; the FIFO's open would block a
// blocking reader forever, so the test ending at all shows it was not
// opened that way.
func TestRefusedByType(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		dir:         "a directory",
		fifo:        "a named pipe (FIFO)",
		"/dev/zero": "a device",
	} {
		_, err := ReadFile(name, 1<<20)
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), name) {
			t.Errorf("ReadFile(%s) = %v; want ErrNotRegular naming %q and not the path", name, err, want)
		}
	}
}

// TestProcFile: /proc/self/environ says it holds 0 bytes; its content
// must not come back, in the bytes or the error.
func TestProcFile(t *testing.T) {
	environ, err := os.ReadFile("/proc/self/environ")
	if err != nil || len(environ) == 0 {
		t.Skip("no /proc/self/environ:", err)
	}
	b, err := ReadFile("/proc/self/environ", 1<<20)
	if !errors.Is(err, ErrSizeChanged) || len(b) != 0 {
		t.Fatalf("ReadFile(/proc/self/environ) = %d bytes, %v; want ErrSizeChanged and nothing", len(b), err)
	}
	if first, _, _ := strings.Cut(string(environ), "\x00"); strings.Contains(err.Error(), first) {
		t.Fatalf("the error holds the environment: %v", err)
	}
}

// TestReaderGrows: a file that grows after it was opened is read up to
// its size at the open, then refused.
func TestReaderGrows(t *testing.T) {
	p := write(t, t.TempDir(), "f", "0123456789")
	f, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := os.WriteFile(p, []byte("0123456789abcdef"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(f.Reader(1 << 20))
	if !errors.Is(err, ErrSizeChanged) || string(b) != "0123456789" {
		t.Fatalf("read %q, %v; want the first 10 bytes and ErrSizeChanged", b, err)
	}
}

// TestReaderTooLarge: a file larger than the bound fails on the first
// Read, with nothing read.
func TestReaderTooLarge(t *testing.T) {
	f, err := Open(write(t, t.TempDir(), "f", strings.Repeat("x", 3<<20)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n, err := f.Reader(2 << 20).Read(make([]byte, 10))
	if n != 0 || !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "larger than 2 MiB") {
		t.Fatalf("Read = %d, %v; want 0 and ErrTooLarge (larger than 2 MiB)", n, err)
	}
}

// TestOpenRoot: names inside the root open; "..", absolute paths and
// symbolic links out of it do not.
func TestOpenRoot(t *testing.T) {
	outside := write(t, t.TempDir(), "secret.csv", "a\n1\n")
	dir := t.TempDir()
	write(t, dir, "in.csv", "a\n1\n")
	if err := os.Symlink(outside, filepath.Join(dir, "link.csv")); err != nil {
		t.Fatal(err)
	}
	relLink, _ := filepath.Rel(dir, outside)
	if err := os.Symlink(relLink, filepath.Join(dir, "rellink.csv")); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	f, err := OpenRoot(root, "in.csv")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	rel, _ := filepath.Rel(dir, outside)
	for _, name := range []string{rel, outside, "link.csv", "rellink.csv"} {
		if f, err := OpenRoot(root, name); err == nil {
			f.Close()
			t.Errorf("OpenRoot(%s) opened a file outside the root", name)
		}
	}
}

func TestOpenFS(t *testing.T) {
	fsys := fstest.MapFS{"a.csv": {Data: []byte("a\n1\n")}, "d/x": {Data: []byte("x")}}
	f, err := OpenFS(fsys, "a.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if b, err := f.ReadAll(100); err != nil || string(b) != "a\n1\n" {
		t.Fatalf("ReadAll = %q, %v", b, err)
	}
	if _, err := OpenFS(fsys, "d"); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("OpenFS(a directory) = %v; want ErrNotRegular", err)
	}
}

package outpath

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/soaklab/soak/cmd/soak/internal/results"
)

// TestChecks: each check accepts what soak can write and refuses the
// rest with a reason that does not repeat the path it was given, and
// leaves nothing behind.
func TestChecks(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	used := filepath.Join(dir, "used")
	os.Mkdir(used, 0o755)
	os.WriteFile(filepath.Join(used, results.RunFile), []byte("{}"), 0o644)
	for _, tc := range []struct {
		name  string
		check func(string) error
		path  string
		want  string // "" is accepted
	}{
		{"ResultsDir", ResultsDir, dir, ""},
		{"ResultsDir", ResultsDir, filepath.Join(dir, "a", "b"), ""},
		{"ResultsDir", ResultsDir, file, "exists and is not a directory"},
		{"ResultsDir", ResultsDir, filepath.Join(file, "a"), "is not a directory"},
		{"ResultsDir", ResultsDir, used, "already holds a run's results (" + results.RunFile + ")"},
		{"Makeable", Makeable, filepath.Join(dir, "x", "y"), ""},
		{"File", File, filepath.Join(dir, "new.html"), ""},
		{"File", File, filepath.Join(dir, "none", "r.html"), "does not exist"},
		{"File", File, dir, "is a directory"},
		{"File", File, filepath.Join(file, "r.html"), "is not a directory"},
		{"FileMakeable", FileMakeable, filepath.Join(dir, "none", "junit.xml"), ""},
		{"FileMakeable", FileMakeable, used, "is a directory"},
	} {
		err := tc.check(tc.path)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s(%s): %v", tc.name, tc.path, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s(%s): %v, want %q", tc.name, tc.path, err, tc.want)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".soak-write-check-") {
			t.Errorf("left %s behind", e.Name())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ResultsDir made the directory: %v", err)
	}
}

// TestReadOnly: a directory soak may not write in is refused, whatever
// its permissions say to whoever runs the test.
func TestReadOnly(t *testing.T) {
	dir := t.TempDir()
	ro := filepath.Join(dir, "ro")
	os.Mkdir(ro, 0o555)
	t.Cleanup(func() { os.Chmod(ro, 0o755) })
	if f, err := os.CreateTemp(ro, "probe"); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Skip("permissions do not bind this user (root)")
	}
	for _, err := range []error{ResultsDir(ro), ResultsDir(filepath.Join(ro, "run")), File(filepath.Join(ro, "r.html"))} {
		if err == nil || !strings.Contains(err.Error(), "cannot write in "+ro) {
			t.Errorf("%v, want cannot write in %s", err, ro)
		}
	}
}

// TestPathless: the path of an *fs.PathError is dropped, other errors
// stay.
func TestPathless(t *testing.T) {
	_, err := os.Open("/nonexistent/soak/x")
	if got := Pathless(err); got != fs.ErrNotExist && !errors.Is(got, fs.ErrNotExist) || strings.Contains(got.Error(), "/nonexistent") {
		t.Errorf("Pathless(%v) = %v", err, got)
	}
	other := errors.New("other")
	if Pathless(other) != other {
		t.Error("Pathless changed an error without a path")
	}
}

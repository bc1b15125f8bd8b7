//go:build unix

package results

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/soaklab/soak/engine"
)

// TestOpenRefusesNonRegular: a results directory may come from elsewhere;
// a record file that is a FIFO (which would block a reader until a
// writer came) or a directory is refused by its type, naming the file.
func TestOpenRefusesNonRegular(t *testing.T) {
	for _, name := range []string{RunFile, IntervalsFile, CaptureFile} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeRun(t, dir, engine.EndCompleted, StatusComplete)
			p := filepath.Join(dir, name)
			os.Remove(p)
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Open(dir)
			if err == nil || !strings.Contains(err.Error(), p+": not a regular file: a named pipe (FIFO)") {
				t.Fatalf("Open with %s a FIFO: %v", name, err)
			}
		})
	}
}

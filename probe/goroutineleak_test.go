package probe_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/soaklab/soak/internal/testenv"
	"github.com/soaklab/soak/probe"
)

// leakForever starts a goroutine that waits on a channel nobody else can
// reach: what Go 1.26's goroutineleak profile finds.
func leakForever() {
	ch := make(chan int)
	go func() { <-ch }()
}

// TestGoroutineLeakProfile builds this package's tests again with
// GOEXPERIMENT=goroutineleakprofile and checks, in that child, that the
// endpoint serves a parseable profile naming the leaked goroutine.
func TestGoroutineLeakProfile(t *testing.T) {
	if os.Getenv("SOAK_PROBE_LEAK_CHILD") == "1" {
		if !probe.GoroutineLeakProfile() {
			t.Fatal("built with the experiment but the profile is missing")
		}
		leakForever()
		srv := httptest.NewServer(probe.New().Handler())
		defer srv.Close()
		resp, err := http.Get(srv.URL + "/debug/pprof/goroutineleak")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		prof, err := profile.Parse(&buf)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("status %d, parse: %v", resp.StatusCode, err)
		}
		for _, s := range prof.Sample {
			for _, loc := range s.Location {
				for _, l := range loc.Line {
					if strings.Contains(l.Function.Name, "leakForever") {
						return
					}
				}
			}
		}
		t.Fatalf("leakForever not in the goroutineleak profile (%d samples)", len(prof.Sample))
	}
	testenv.SkipUnlessLong(t) // rebuilds the package and its dependencies
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(goBin, "test", "-count=1", "-run", "^TestGoroutineLeakProfile$", ".")
	cmd.Env = append(os.Environ(), "GOEXPERIMENT=goroutineleakprofile", "SOAK_PROBE_LEAK_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child with GOEXPERIMENT=goroutineleakprofile: %v\n%s", err, out)
	}
	t.Logf("child: %s", bytes.TrimSpace(out))
}

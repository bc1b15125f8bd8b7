package runid

import (
	"regexp"
	"testing"
	"time"
)

func TestNew(t *testing.T) {
	at := time.Date(2026, 11, 28, 6, 15, 0, 0, time.FixedZone("CET", 3600))
	shape := regexp.MustCompile(`^20261128T051500Z-[0-9a-f]{4}$`)
	seen := map[string]bool{}
	for range 64 {
		id := New(at)
		if !shape.MatchString(id) {
			t.Fatalf("id %q, want 20261128T051500Z-xxxx (UTC)", id)
		}
		seen[id] = true
	}
	if len(seen) < 2 {
		t.Error("64 ids of one second are all the same")
	}
}

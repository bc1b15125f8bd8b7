package runid

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// Layout is the time part of an id: the start in UTC, to the second,
// sortable as text.
const Layout = "20060102T150405Z"

// New returns the id of a run started at now: now in UTC as [Layout],
// a dash and four random hex digits, so that runs started in the same
// second get different ids (and results directories), e.g.
// "20261128T051500Z-3f9a".
func New(now time.Time) string {
	var b [2]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return now.UTC().Format(Layout) + "-" + hex.EncodeToString(b[:])
}

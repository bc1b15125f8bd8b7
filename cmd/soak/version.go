package main

import (
	"context"
	"fmt"
	"runtime"

	"github.com/soaklab/soak/internal/buildinfo"
)

const versionUsage = `Usage: soak version

Prints soak's version: the version set at link time or the module's, else
"devel" with the VCS revision Go stamped when it built soak from a checkout
(go build and go install do, go run does not), the revision's time, and the
Go version and platform.

Examples:
  soak version
  soak --version
`

// version describes this binary: "soak devel+1a2b3c4d5e6f (rev
// 1a2b3c4d5e6f, 2026-11-28T05:00:00Z) go1.26.8 linux/amd64"
// (internal/buildinfo says where each part comes from).
func version() string {
	bi := buildinfo.Read()
	out := "soak " + bi.Version
	if bi.Revision != "" {
		out += " (rev " + bi.Revision[:min(len(bi.Revision), 12)]
		if bi.Time != "" {
			out += ", " + bi.Time
		}
		if bi.Modified {
			out += ", modified"
		}
		out += ")"
	}
	return fmt.Sprintf("%s %s %s/%s", out, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func (c *cli) cmdVersion(_ context.Context, args []string) (int, error) {
	fs := newFlagSet("version")
	rest, err := parse(fs, args)
	if err != nil {
		return exitUsage, err
	}
	if len(rest) > 0 {
		return exitUsage, usagef("unexpected argument %q", rest[0])
	}
	fmt.Fprintln(c.stdout, version())
	return exitOK, nil
}

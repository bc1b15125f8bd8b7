package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

const versionUsage = `Usage: soak version

Prints soak's version: the module version (or "devel"), the VCS revision
and time it was built from, and the Go version and platform.

Examples:
  soak version
  soak --version
`

// version describes this binary: "soak devel (rev 1a2b3c4d, 2026-11-28T05:00:00Z, modified) go1.26.8 linux/amd64".
func version() string {
	v, rev, at, dirty := "devel", "", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	out := "soak " + v
	if rev != "" {
		out += " (rev " + rev[:min(len(rev), 12)]
		if at != "" {
			out += ", " + at
		}
		if dirty {
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

package main

import (
	"path/filepath"
	"strings"

	"github.com/soaklab/soak/internal/redact"
)

// commandLine is the command line that ran soak, as one shell line that
// runs it again, secrets redacted (run.json, the report's Execution
// Command): the program as the user named it, except the binary `go run`
// builds in a temporary directory (/tmp/go-build.../exe/soak), which
// nobody can run again and which is written as its name, soak.
func (c *cli) commandLine() string {
	argv := append([]string(nil), c.argv...)
	if len(argv) > 0 && isGoRunBinary(argv[0]) {
		argv[0] = filepath.Base(argv[0])
	}
	return redact.Args(argv)
}

// isGoRunBinary reports whether path is a binary go run built: in an
// "exe" directory of a go-build temporary directory.
func isGoRunBinary(path string) bool {
	p := filepath.ToSlash(path)
	return strings.Contains(p, "/go-build") && filepath.Base(filepath.Dir(path)) == "exe"
}

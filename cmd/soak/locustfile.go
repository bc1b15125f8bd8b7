package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/soaklab/soak/cmd/soak/internal/locustfile"
	"github.com/soaklab/soak/cmd/soak/internal/outpath"
	"github.com/soaklab/soak/internal/fileread"
)

// pythonSign is a line only a locustfile starts with.
var pythonSign = regexp.MustCompile(`(?m)^(?:from\s+locust\b.*\bimport\b|import\s+locust\b|class\s+\w+\s*\(\s*(?:locust\.)?(?:Fast)?Http(?:User|Locust)\s*\)\s*:)`)

// isLocustfile reports whether name is a locustfile: a .py file, or a
// file whose first bytes are Python that imports locust.
func isLocustfile(name string) bool {
	if strings.EqualFold(filepath.Ext(name), ".py") {
		return true
	}
	data, err := fileread.ReadFile(name, locustfile.MaxBytes)
	return err == nil && pythonSign.Match(data)
}

// locustfileError is the usage error of a locustfile given where soak
// wants a scenario. Sketch, when soak could read one from the file, is
// the scenario it sketched, which the CLI prints on stdout.
type locustfileError struct {
	flag, file string
	sketch     []byte
	why        string // why there is no sketch
}

func (e *locustfileError) Error() string {
	var b strings.Builder
	if e.flag != "" {
		b.WriteString(e.flag + " ")
	}
	fmt.Fprintf(&b, "%s: soak reads YAML scenarios or Go, not Python: see docs/locust.md#porting-a-locustfile", e.file)
	if e.sketch != nil {
		fmt.Fprintf(&b, ". The scenario soak sketched from its classes is on stdout: save it (soak -f %s > soak.yaml), "+
			"finish its TODOs, then check it with soak validate soak.yaml", e.file)
	} else if e.why != "" {
		fmt.Fprintf(&b, " (%s)", e.why)
	}
	return b.String()
}

// readLocustfile sketches the scenario of the locustfile name, given
// with flag (as the user spelled it: -f, --scenario, or "" for validate).
func readLocustfile(flag, name string) *locustfileError {
	e := &locustfileError{flag: flag, file: name}
	data, err := fileread.ReadFile(name, locustfile.MaxBytes)
	if err != nil {
		e.why = "cannot read it: " + outpath.Pathless(err).Error()
		return e
	}
	f, err := locustfile.Read(data)
	if err != nil {
		e.why = "no user class to sketch a scenario from: class Name(HttpUser)"
		return e
	}
	e.sketch = f.YAML(filepath.Base(name))
	return e
}

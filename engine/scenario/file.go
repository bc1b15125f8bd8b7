package scenario

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// Load reads and parses the scenario file at name. Data files (csv:) are
// read relative to the scenario file's directory, or from their absolute
// path. The error, if any, is [Problems]: every problem in the file with
// its line and column.
func Load(name string) (*Scenario, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, Problems{{File: name, Msg: fmt.Sprintf("cannot read the scenario: %v", pathlessErr(err))}}
	}
	dir := filepath.Dir(name)
	return decode(name, data, func(rel string) ([]byte, error) {
		p := rel
		if !filepath.IsAbs(rel) {
			p = filepath.Join(dir, rel)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %v", p, pathlessErr(err))
		}
		return b, nil
	})
}

// LoadFS reads and parses the scenario file name from fsys (an embed.FS,
// os.DirFS, fstest.MapFS). Data files are read from fsys, relative to the
// scenario's directory; they cannot leave fsys.
func LoadFS(fsys fs.FS, name string) (*Scenario, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, Problems{{File: name, Msg: fmt.Sprintf("cannot read the scenario: %v", pathlessErr(err))}}
	}
	dir := path.Dir(name)
	return decode(name, data, func(rel string) ([]byte, error) {
		p := path.Join(dir, rel)
		if path.IsAbs(rel) || !fs.ValidPath(p) {
			return nil, fmt.Errorf("%s is outside the scenario's file system", rel)
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %v", p, pathlessErr(err))
		}
		return b, nil
	})
}

// Parse parses a scenario from data; name is the file name used in
// problems ("seed.yaml:12:5: ..."). It reads no files: a scenario with
// csv: data sources needs Load or LoadFS.
func Parse(name string, data []byte) (*Scenario, error) {
	return decode(name, data, nil)
}

// pathlessErr drops the path an *fs.PathError repeats.
func pathlessErr(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

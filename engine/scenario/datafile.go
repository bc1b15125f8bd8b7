package scenario

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/soaklab/soak/internal/fileread"
)

// dataOpener opens a data file (csv:) named as the scenario names it; its
// errors quote that name. Nil: no data file can be read.
type dataOpener func(name string) (*fileread.File, error)

// dataFiles opens the data files of a scenario read from disk: inside the
// scenario's directory or one of the allowed ones, each through an
// os.Root, which also keeps symbolic links inside it.
type dataFiles struct {
	dirs  []string // absolute; the scenario's directory first
	roots map[string]*os.Root
}

func newDataFiles(scenario string, extra []string) *dataFiles {
	df := &dataFiles{roots: map[string]*os.Root{}}
	for _, d := range append([]string{filepath.Dir(scenario)}, extra...) {
		if abs, err := filepath.Abs(d); err == nil {
			df.dirs = append(df.dirs, abs)
		}
	}
	return df
}

// open opens name, relative to the scenario's directory or absolute, if
// it lies inside an allowed directory. A path that is lexically outside
// may still reach an allowed directory through symbolic links (a link
// in the scenario's directory to a --data-dir): it is tried once more
// with its links resolved.
func (df *dataFiles) open(name string) (*fileread.File, error) {
	if name == "" || strings.ContainsRune(name, 0) {
		return nil, fmt.Errorf("%q is not a file name", name)
	}
	p := name
	if !filepath.IsAbs(p) && len(df.dirs) > 0 {
		p = filepath.Join(df.dirs[0], p)
	}
	f, err := df.openIn(p)
	if errors.Is(err, errOutside) || errors.Is(err, errLinkOut) {
		if real, rerr := filepath.EvalSymlinks(p); rerr == nil {
			rf, rerr := df.openReal(real)
			if rerr == nil {
				return rf, nil
			}
			if !errors.Is(rerr, errOutside) {
				err = rerr
			}
		}
	}
	switch {
	case err == nil:
		return f, nil
	case errors.Is(err, errOutside):
		return nil, fmt.Errorf("%q is outside the scenario's directory (%s); a data file must be inside it, "+
			"or inside a directory allowed by soak's --data-dir", name, df.dirs[0])
	case errors.Is(err, errLinkOut):
		return nil, fmt.Errorf("%q leads out of its directory through a symbolic link; a data file must be inside the "+
			"scenario's directory, or inside a directory allowed by soak's --data-dir", name)
	}
	return nil, fmt.Errorf("cannot read %q: %v", name, err)
}

var (
	errOutside = errors.New("outside every allowed directory")
	errLinkOut = errors.New("a symbolic link out of the directory")
)

// openIn opens the absolute path p through the root of the first allowed
// directory that holds it lexically.
func (df *dataFiles) openIn(p string) (*fileread.File, error) {
	for _, d := range df.dirs {
		rel, err := filepath.Rel(d, p)
		if err != nil || !filepath.IsLocal(rel) {
			continue
		}
		root, err := df.root(d)
		if err != nil {
			return nil, err
		}
		f, err := fileread.OpenRoot(root, rel)
		if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fileread.ErrNotRegular) &&
			!errors.Is(err, fs.ErrPermission) {
			if _, serr := os.Stat(p); serr == nil { // it exists, but the root would not reach it
				return nil, errLinkOut
			}
		}
		return f, err
	}
	return nil, errOutside
}

// openReal opens the resolved path real through an allowed directory
// that holds it once that directory's own links are resolved.
func (df *dataFiles) openReal(real string) (*fileread.File, error) {
	for _, d := range df.dirs {
		rd, err := filepath.EvalSymlinks(d)
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(rd, real); err == nil && filepath.IsLocal(rel) {
			root, err := df.root(d)
			if err != nil {
				return nil, err
			}
			return fileread.OpenRoot(root, rel)
		}
	}
	return nil, errOutside
}

func (df *dataFiles) root(dir string) (*os.Root, error) {
	if r, ok := df.roots[dir]; ok {
		return r, nil
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	df.roots[dir] = r
	return r, nil
}

func (df *dataFiles) close() {
	for _, r := range df.roots {
		r.Close()
	}
}

// localSlash is filepath.IsLocal for the slash-separated names of an
// fs.FS: relative, and not climbing out with "..".
func localSlash(name string) bool {
	return name != "" && !strings.HasPrefix(name, "/") && filepath.IsLocal(filepath.FromSlash(name))
}

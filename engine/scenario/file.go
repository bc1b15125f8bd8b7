package scenario

import (
	"context"
	"fmt"
	"io/fs"
	"path"

	"github.com/soaklab/soak/engine/scenario/internal/bounds"
	"github.com/soaklab/soak/internal/fileread"
)

// LoadOptions say where [LoadContext] may read a scenario's data files
// from. The zero value allows the scenario file's own directory only.
type LoadOptions struct {
	// DataDirs are more directories data files (csv:) may be read from,
	// as soak's --data-dir names them. A data file is named by a path
	// relative to the scenario file's directory or an absolute one; it is
	// read only if it lies inside that directory or one of DataDirs, and
	// any symbolic link on its way stays inside it too.
	DataDirs []string
}

// Load reads and parses the scenario file at name, as LoadContext does
// with no deadline and no directory beside the scenario's own.
func Load(name string) (*Scenario, error) {
	return LoadContext(context.Background(), name, LoadOptions{})
}

// LoadContext reads and parses the scenario file at name. Data files
// (csv:) are read relative to the scenario file's directory and may not
// leave it: an absolute path, a ".." that climbs out or a symbolic link
// that points out is refused, unless it lies inside one of
// opts.DataDirs. Every file read must be a regular file (not a FIFO, a
// device, a directory or a /proc file) within the bounds listed in
// docs/scenarios.md#limits. A problem with the file is [Problems]: every
// problem in the file with its line and column. When ctx is done first,
// the error wraps ctx's error instead (errors.Is(err, context.Canceled)).
func LoadContext(ctx context.Context, name string, opts LoadOptions) (*Scenario, error) {
	if err := ctx.Err(); err != nil {
		return nil, parseStopped(name, err)
	}
	data, err := fileread.ReadFile(name, bounds.MaxFileBytes)
	if err != nil {
		return nil, Problems{{File: name, Msg: fmt.Sprintf("cannot read the scenario: %v", err)}}
	}
	df := newDataFiles(name, opts.DataDirs)
	defer df.close()
	return decode(ctx, name, data, df.open)
}

// LoadFS reads and parses the scenario file name from fsys (an embed.FS,
// os.DirFS, fstest.MapFS). Data files are read from fsys, relative to the
// scenario's directory, which they may not leave ("..", absolute paths).
func LoadFS(fsys fs.FS, name string) (*Scenario, error) {
	f, err := fileread.OpenFS(fsys, name)
	if err != nil {
		return nil, Problems{{File: name, Msg: fmt.Sprintf("cannot read the scenario: %v", err)}}
	}
	data, err := f.ReadAll(bounds.MaxFileBytes)
	f.Close()
	if err != nil {
		return nil, Problems{{File: name, Msg: fmt.Sprintf("cannot read the scenario: %v", err)}}
	}
	dir := path.Dir(name)
	return decode(context.Background(), name, data, func(rel string) (*fileread.File, error) {
		p := path.Join(dir, rel)
		if !localSlash(rel) || !fs.ValidPath(p) {
			return nil, fmt.Errorf("%q is outside the scenario's directory", rel)
		}
		f, err := fileread.OpenFS(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("cannot read %q: %v", rel, err)
		}
		return f, nil
	})
}

// Parse parses a scenario from data; name is the file name used in
// problems ("seed.yaml:12:5: ..."). It reads no files: a scenario with
// csv: data sources needs Load or LoadFS.
func Parse(name string, data []byte) (*Scenario, error) {
	return decode(context.Background(), name, data, nil)
}

// ParseContext is Parse that stops when ctx is done, returning an error
// that wraps ctx's.
func ParseContext(ctx context.Context, name string, data []byte) (*Scenario, error) {
	return decode(ctx, name, data, nil)
}

// parseStopped is the error of a parse that ctx stopped.
func parseStopped(name string, err error) error {
	return fmt.Errorf("scenario: %s: parsing stopped: %w", name, err)
}

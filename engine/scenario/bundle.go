package scenario

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"time"

	"github.com/soaklab/soak/engine/scenario/internal/bounds"
	"github.com/soaklab/soak/internal/fileread"
)

// MaxBundleBytes bounds a [Bundle] encoded as JSON: the largest scenario
// file and data files a scenario may read (docs/scenarios.md#limits), in
// base64, and room for the names. A reader of bundles from elsewhere (a
// worker of a distributed run) reads at most this much.
const MaxBundleBytes = (bounds.MaxFileBytes+bounds.MaxDataBytes)/3*4 + 1<<20

// Bundle is a scenario file with the data files it reads, as bytes: what
// another machine needs to build the same plan without this one's file
// system (a worker of a distributed run). [LoadBundle] makes one while it
// loads the scenario; [Bundle.Load] parses it again, within the bounds of
// a scenario read from disk. It marshals to JSON. The scenario's data go
// wherever the bundle goes: whatever credentials the file or its data
// hold travel with it.
type Bundle struct {
	// Name is the scenario file's name, as problems cite it.
	Name string `json:"name"`
	// Scenario is the file's content.
	Scenario []byte `json:"scenario"`
	// Data are the data files (csv:) the scenario read, under the names
	// it gives them, in the order it read them.
	Data []BundleFile `json:"data,omitempty"`
}

// BundleFile is one data file of a Bundle.
type BundleFile struct {
	Name string `json:"name"` // as the scenario names it (csv: NAME)
	Data []byte `json:"data"`
}

// LoadBundle is [LoadContext] that also returns what it read: the
// scenario file and its data files, as a Bundle.
func LoadBundle(ctx context.Context, name string, opts LoadOptions) (*Scenario, *Bundle, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, parseStopped(name, err)
	}
	data, err := fileread.ReadFile(name, bounds.MaxFileBytes)
	if err != nil {
		return nil, nil, Problems{{File: name, Msg: fmt.Sprintf("cannot read the scenario: %v", err)}}
	}
	b := &Bundle{Name: name, Scenario: data}
	df := newDataFiles(name, opts.DataDirs)
	defer df.close()
	var read int64
	sc, err := decode(ctx, name, data, func(rel string) (*fileread.File, error) {
		f, err := df.open(rel)
		if err != nil || f.Size > bounds.MaxDataBytes-read {
			return f, err // decode refuses a file past the bound, unread
		}
		defer f.Close()
		content, err := f.ReadAll(bounds.MaxDataBytes - read)
		if err != nil {
			return nil, fmt.Errorf("cannot read %q: %v", rel, err)
		}
		read += int64(len(content))
		b.Data = append(b.Data, BundleFile{Name: rel, Data: content})
		return memFile(content)
	})
	if err != nil {
		return nil, nil, err
	}
	return sc, b, nil
}

// Load parses the bundle's scenario, its data files read from the
// bundle: a scenario file read from disk and this one give the same plan.
// Every bound of a scenario file applies; a data file the bundle lacks is
// a problem naming it.
func (b *Bundle) Load(ctx context.Context) (*Scenario, error) {
	if err := ctx.Err(); err != nil {
		return nil, parseStopped(b.Name, err)
	}
	if len(b.Scenario) > bounds.MaxFileBytes {
		return nil, Problems{{File: b.Name, Msg: fmt.Sprintf("cannot read the scenario: larger than %d MiB", bounds.MaxFileBytes>>20)}}
	}
	return decode(ctx, b.Name, b.Scenario, func(rel string) (*fileread.File, error) {
		for _, f := range b.Data {
			if f.Name == rel {
				return memFile(f.Data)
			}
		}
		return nil, fmt.Errorf("%q is not in the scenario's bundle", rel)
	})
}

// memFile opens data as a fileread.File.
func memFile(data []byte) (*fileread.File, error) {
	return fileread.OpenFS(memFS{data}, "data")
}

// memFS is a file system of one regular file, "data".
type memFS struct{ data []byte }

func (m memFS) Open(name string) (fs.File, error) {
	if name != "data" {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memOpen{Reader: bytes.NewReader(m.data), size: int64(len(m.data))}, nil
}

type memOpen struct {
	*bytes.Reader
	size int64
}

func (f *memOpen) Stat() (fs.FileInfo, error) { return memInfo(f.size), nil }
func (f *memOpen) Close() error               { return nil }

// memInfo describes memFS's file.
type memInfo int64

func (i memInfo) Name() string       { return "data" }
func (i memInfo) Size() int64        { return int64(i) }
func (i memInfo) Mode() fs.FileMode  { return 0o444 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }

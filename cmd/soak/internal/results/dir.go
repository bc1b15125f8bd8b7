package results

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/capture"
)

// ErrExists is returned (wrapped, naming the directory) by Create for a
// directory that already holds a run's results: soak never overwrites
// them.
var ErrExists = errors.New("results: directory already holds a run's results")

// Dir is a results directory being written. Create one per run. Safe for
// concurrent use.
type Dir struct {
	path string

	mu      sync.Mutex
	meta    Meta
	ivFile  *os.File
	ivw     *engine.IntervalWriter
	capFile *os.File
	capture *capture.RecordWriter
	err     error // the first write error, reported by Finish
}

// Create makes the directory path (and its parents), refusing one that
// already holds a run.json, and writes meta with StatusRunning. The
// interval and capture files are created empty.
func Create(path string, meta Meta) (*Dir, error) {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	if _, err := os.Stat(filepath.Join(path, RunFile)); err == nil {
		return nil, fmt.Errorf("%w: %s (choose another --out)", ErrExists, path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("results: %w", err)
	}
	meta.Format, meta.Status = Format, StatusRunning
	if meta.Created.IsZero() {
		meta.Created = time.Now()
	}
	d := &Dir{path: path, meta: meta}
	var err error
	if d.ivFile, err = create(path, IntervalsFile); err != nil {
		return nil, err
	}
	if d.capFile, err = create(path, CaptureFile); err != nil {
		d.ivFile.Close()
		return nil, err
	}
	d.ivw = engine.NewIntervalWriter(d.ivFile)
	d.capture = capture.NewRecordWriter(d.capFile)
	if err := writeJSON(d.file(RunFile), &d.meta); err != nil {
		d.closeFiles()
		return nil, err
	}
	return d, nil
}

func create(dir, name string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	return f, nil
}

// Path is the directory.
func (d *Dir) Path() string { return d.path }

// file is name inside the directory.
func (d *Dir) file(name string) string { return filepath.Join(d.path, name) }

// Capture is the writer of probe.jsonl, for runner.Config.Record.
func (d *Dir) Capture() *capture.RecordWriter { return d.capture }

// ProfilesDir creates and returns the directory for captured profiles.
func (d *Dir) ProfilesDir() (string, error) {
	p := d.file(ProfilesDir)
	if err := os.MkdirAll(p, 0o755); err != nil {
		return "", fmt.Errorf("results: %w", err)
	}
	return p, nil
}

// Start records the engine's description of the run in run.json
// (Plan.OnStart).
func (d *Dir) Start(info engine.RunInfo) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.meta.Info = &info
	d.keep(writeJSON(d.file(RunFile), &d.meta))
}

// Interval appends iv to intervals.jsonl (Plan.OnInterval).
func (d *Dir) Interval(iv *engine.Interval) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ivw != nil {
		d.keep(d.ivw.Write(iv))
	}
}

// AddOutput records an output written (a path relative to the directory
// or as the user gave it).
func (d *Dir) AddOutput(path string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.meta.Outputs = append(d.meta.Outputs, path)
}

// keep remembers the first error.
func (d *Dir) keep(err error) {
	if err != nil && d.err == nil {
		d.err = err
	}
}

// Finish closes the record files and writes run.json with status. It
// returns the first error of any write since Create.
func (d *Dir) Finish(status Status) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.keep(d.closeFiles())
	d.meta.Status, d.meta.Ended = status, time.Now()
	d.keep(writeJSON(d.file(RunFile), &d.meta))
	return d.err
}

// SetEnding records how the engine's load ended, for run.json; Finish
// writes it.
func (d *Dir) SetEnding(e engine.Ending) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.meta.Ending = e
}

// Meta returns a copy of the current run.json.
func (d *Dir) Meta() Meta {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.meta
}

// UpdateMeta rewrites run.json after fn changed it.
func (d *Dir) UpdateMeta(fn func(*Meta)) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	fn(&d.meta)
	return writeJSON(d.file(RunFile), &d.meta)
}

func (d *Dir) closeFiles() error {
	var errs []error
	if d.ivFile != nil {
		errs = append(errs, d.ivFile.Close())
		d.ivFile, d.ivw = nil, nil
	}
	if d.capFile != nil {
		errs = append(errs, d.capFile.Close())
		d.capFile = nil
	}
	return errors.Join(errs...)
}

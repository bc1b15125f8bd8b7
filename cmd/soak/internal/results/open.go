package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/internal/fileread"
)

// ErrNotResults is returned (wrapped, naming the path) by Open for a
// directory that is not a run's results.
var ErrNotResults = errors.New("results: not a soak results directory")

// Bounds on what Open reads: a results directory may come from elsewhere.
// Every file must be a regular file (never a FIFO or a device).
const (
	// MaxMetaBytes bounds run.json (a run writes a few KB).
	MaxMetaBytes = 16 << 20
	// MaxRecordBytes bounds intervals.jsonl and probe.jsonl, each: a run
	// writes about 2 KB per interval and per probe sample, so a week of
	// 1 s intervals.
	MaxRecordBytes = 1 << 30
)

// Saved is a results directory read back.
type Saved struct {
	Dir       string
	Meta      Meta
	Intervals []*engine.Interval
	// Capture is the probe side, nil when the run had no probe file.
	Capture *capture.Capture
	// Warnings says what was recovered rather than read whole: a last
	// line cut short by a kill, a run that never finished.
	Warnings []string
}

// Open reads the results directory dir. A record file whose last line was
// cut short (soak killed while writing) is read up to that line, with a
// warning; damage anywhere else is an error naming the file and line.
func Open(dir string) (*Saved, error) {
	s := &Saved{Dir: dir}
	b, err := fileread.ReadFile(filepath.Join(dir, RunFile), MaxMetaBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s has no %s", ErrNotResults, dir, RunFile)
	}
	if err != nil {
		return nil, fmt.Errorf("results: %s: %w", filepath.Join(dir, RunFile), err)
	}
	if err := json.Unmarshal(b, &s.Meta); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNotResults, filepath.Join(dir, RunFile), err)
	}
	if s.Meta.Format != Format {
		return nil, fmt.Errorf("%w: %s: format %q, want %q", ErrNotResults, filepath.Join(dir, RunFile), s.Meta.Format, Format)
	}
	switch s.Meta.Ending {
	case "", engine.EndCompleted, engine.EndStopped, engine.EndCanceled:
	default:
		return nil, fmt.Errorf("%s: field ending: %q is not completed, stopped or canceled", filepath.Join(dir, RunFile), s.Meta.Ending)
	}
	if s.Meta.Info == nil {
		return nil, fmt.Errorf("%w: %s: the run never started (no engine description)", ErrNotResults, dir)
	}
	if err := s.readIntervals(); err != nil {
		return nil, err
	}
	if err := s.readCapture(); err != nil {
		return nil, err
	}
	if n := len(s.Intervals); n > 0 && s.Capture != nil {
		// A run killed mid-phase: that phase lasted at least until the
		// last interval saved.
		s.Capture.ExtendCut(s.Intervals[n-1].End)
	}
	if s.Meta.Status == StatusRunning {
		s.Warnings = append(s.Warnings, "the run never finished (soak was killed): outputs are partial, up to the last saved interval")
	}
	return s, nil
}

func (s *Saved) readIntervals() error {
	name := filepath.Join(s.Dir, IntervalsFile)
	b, err := fileread.ReadFile(name, MaxRecordBytes)
	if err != nil {
		return fmt.Errorf("results: %s: %w", name, err)
	}
	ivs, err := engine.ReadIntervals(bytes.NewReader(b), name)
	if err != nil {
		if !tornTail(b, len(ivs)) {
			return err
		}
		s.Warnings = append(s.Warnings, fmt.Sprintf("%s: last line cut short, ignored (%d intervals read)", IntervalsFile, len(ivs)))
	}
	s.Intervals = ivs
	return nil
}

func (s *Saved) readCapture() error {
	name := filepath.Join(s.Dir, CaptureFile)
	b, err := fileread.ReadFile(name, MaxRecordBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("results: %s: %w", name, err)
	}
	c, err := capture.ReadCapture(bytes.NewReader(b), name)
	if err != nil {
		if !tornTail(b, -1) {
			return err
		}
		s.Warnings = append(s.Warnings, CaptureFile+": last line cut short, ignored")
	}
	if err := c.LoadProfiles(s.Dir); err != nil {
		s.Warnings = append(s.Warnings, err.Error())
	}
	s.Capture = c
	return nil
}

// tornTail reports whether the error of reading b can only come from its
// last line being cut short: b does not end with a newline, and (when
// read is not negative) the records read are all the lines before it.
func tornTail(b []byte, read int) bool {
	if len(b) == 0 || b[len(b)-1] == '\n' {
		return false
	}
	if read < 0 {
		return true
	}
	complete := 0
	for _, line := range bytes.Split(b[:bytes.LastIndexByte(b, '\n')+1], []byte{'\n'}) {
		if len(bytes.TrimSpace(line)) > 0 {
			complete++
		}
	}
	return complete == read
}

// Partial reports whether the run did not complete: interrupted, killed,
// or its files were cut short.
func (s *Saved) Partial() bool { return s.Meta.Status != StatusComplete || len(s.Warnings) > 0 }

// Result rebuilds the engine's Result from the saved intervals.
func (s *Saved) Result() *engine.Result {
	r := engine.NewResult(*s.Meta.Info, s.Intervals, 0)
	switch s.Meta.Ending {
	case engine.EndStopped:
		r.Stopped = true
	case engine.EndCanceled:
		r.Canceled = true
	case "":
		r.Canceled = s.Meta.Status == StatusInterrupted // an older run.json
	}
	return r
}

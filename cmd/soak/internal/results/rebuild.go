package results

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/internal/fileread"
)

// Rebuild writes meta and intervals into the results directory path,
// made if absent: run.json and intervals.jsonl are replaced whole (each
// written to a temporary file, then renamed), the probe samples and
// profiles already there are kept. It rebuilds a distributed run whose
// coordinator died from the run's stream; `soak report` then reads the
// directory as any other.
func Rebuild(path string, meta Meta, intervals []*engine.Interval) error {
	if err := os.MkdirAll(path, 0o755); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	meta.Format = Format
	tmp, err := os.CreateTemp(path, "."+IntervalsFile+".*.tmp")
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	bw := bufio.NewWriter(tmp)
	w := engine.NewIntervalWriter(bw)
	for _, iv := range intervals {
		if err = w.Write(iv); err != nil {
			break
		}
	}
	if err == nil {
		err = bw.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(path, IntervalsFile))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("results: writing %s: %w", filepath.Join(path, IntervalsFile), err)
	}
	return writeJSON(filepath.Join(path, RunFile), &meta)
}

// ReadMeta reads run.json of the results directory dir, as Open does,
// without the records: what a rebuild needs of a run that may never
// have started.
func ReadMeta(dir string) (Meta, error) {
	var m Meta
	name := filepath.Join(dir, RunFile)
	b, err := fileread.ReadFile(name, MaxMetaBytes)
	if err != nil {
		return m, fmt.Errorf("results: %s: %w", name, err)
	}
	if err := json.Unmarshal(b, &m); err != nil || m.Format != Format {
		return m, fmt.Errorf("%w: %s", ErrNotResults, name)
	}
	return m, nil
}

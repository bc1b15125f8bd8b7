package results

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzOpen feeds Open arbitrary run.json files beside valid records: it
// returns the run or an error, never panics, and what it returns can be
// rebuilt (soak report calls Result right after Open).
func FuzzOpen(f *testing.F) {
	seed := f.TempDir()
	d, err := Create(seed, Meta{Mode: "run"})
	if err != nil {
		f.Fatal(err)
	}
	d.Start(info())
	d.Interval(interval(0, 10))
	d.SetEnding("stopped")
	if err := d.Finish(StatusInterrupted); err != nil {
		f.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(seed, RunFile))
	if err != nil {
		f.Fatal(err)
	}
	records, err := os.ReadFile(filepath.Join(seed, IntervalsFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"format":"soak-results/v1","status":"running","info":{}}`))
	f.Add([]byte(`{"format":"soak-results/v1","status":"complete","ending":"canceled","info":{"interval":-1}}`))
	f.Add([]byte(`{"format":"soak-results/v1","info":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, runJSON []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, RunFile), runJSON, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, IntervalsFile), records, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Open(dir)
		if err != nil {
			return
		}
		_ = s.Partial()
		_ = s.Result().Ending()
	})
}

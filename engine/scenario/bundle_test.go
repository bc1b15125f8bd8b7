package scenario

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/soaklab/soak/engine/scenario/internal/bounds"
)

// TestBundle: a scenario loaded with its data files, from its directory
// and a --data-dir, travels as JSON and loads elsewhere into the same
// data, with no file system.
func TestBundle(t *testing.T) {
	dir, extra := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(dir, "acc.csv"), []byte("username,password\nann,a1\nbob,b2\n"), 0o644)
	os.WriteFile(filepath.Join(extra, "skus.csv"), []byte("sku\nX1\nX2\nX3\n"), 0o644)
	src := fmt.Sprintf(`
data:
  acc: {csv: acc.csv}
  sku: {csv: %q, order: round_robin}
classes:
  - name: Buyer
    tasks:
      - get: /buy/{{sku.sku}}?u={{acc.username}}
`, filepath.Join(extra, "skus.csv"))
	name := filepath.Join(dir, "s.yaml")
	os.WriteFile(name, []byte(src), 0o644)
	sc, b, err := LoadBundle(context.Background(), name, LoadOptions{DataDirs: []string{extra}})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Data) != 2 || b.Data[0].Name != "acc.csv" || string(b.Scenario) != src {
		t.Fatalf("bundle: %d files, first %q", len(b.Data), b.Data[0].Name)
	}
	enc, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(dir)
	os.RemoveAll(extra)
	var back Bundle
	if err := json.Unmarshal(enc, &back); err != nil {
		t.Fatal(err)
	}
	sc2, err := back.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a, c := mustCompile(t, sc), mustCompile(t, sc2)
	if fmt.Sprint(a.sources[0].src.rows, a.sources[1].src.rows) != fmt.Sprint(c.sources[0].src.rows, c.sources[1].src.rows) {
		t.Errorf("the bundle's data differ from the files'")
	}
	if sc2.File != name {
		t.Errorf("problems would cite %q, not %q", sc2.File, name)
	}

	back.Data = back.Data[:1]
	if _, err := back.Load(context.Background()); !errors.As(err, new(Problems)) || !strings.Contains(err.Error(), "not in the scenario's bundle") {
		t.Errorf("a bundle without its data file: %v", err)
	}
	back.Scenario = make([]byte, bounds.MaxFileBytes+1)
	if _, err := back.Load(context.Background()); err == nil || !strings.Contains(err.Error(), "larger than 4 MiB") {
		t.Errorf("an oversized scenario: %v", err)
	}
}

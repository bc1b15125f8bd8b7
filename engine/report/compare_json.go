package report

import (
	"encoding/json"
	"io"

	"github.com/soaklab/soak/engine/compare"
)

// CompareFormat is the "format" member of a comparison's JSON document.
const CompareFormat = "soak-compare/v1"

// CompareDocument is the JSON output of soak compare: the comparison as
// engine/compare decides it (docs/compare.md documents the members),
// under a format member.
type CompareDocument struct {
	Format string `json:"format"`
	*compare.Comparison
}

// CompareJSON returns the Reporter of c's JSON document.
func CompareJSON(c *compare.Comparison) Reporter {
	return func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(CompareDocument{Format: CompareFormat, Comparison: c})
	}
}

package compare

import (
	"cmp"
	"slices"

	"github.com/soaklab/soak/engine/analysis"
)

// FindingStatus is how a defect changed between the runs.
type FindingStatus string

// Finding statuses.
const (
	FindingNew       FindingStatus = "new"       // detected in NEW, not in BASE
	FindingResolved  FindingStatus = "resolved"  // detected in BASE, not in NEW
	FindingUnchanged FindingStatus = "unchanged" // detected in both
)

// FindingChange is a detector's defect (analysis.VerdictDetected) in
// either run.
type FindingChange struct {
	Detector analysis.Detector `json:"detector"`
	Source   string            `json:"source,omitempty"`
	Status   FindingStatus     `json:"status"`
	// Base and New are the finding in each run (one line: verdict,
	// confidence, summary); "" when the run had no finding of the
	// detector for the source.
	Base string `json:"base,omitempty"`
	New  string `json:"new,omitempty"`
	// Evidence is the detected finding's evidence (NEW's when detected
	// in both).
	Evidence []string `json:"evidence,omitempty"`
}

// Key is "memory-leak" or "memory-leak [source]".
func (f *FindingChange) Key() string {
	if f.Source == "" {
		return string(f.Detector)
	}
	return string(f.Detector) + " [" + f.Source + "]"
}

type findingKey struct {
	d   analysis.Detector
	src string
}

// indexFindings keys a run's findings by detector and source; a run
// with one probe source keys them without it, so that two runs of one
// service whose probes had other addresses still match.
func indexFindings(fs []analysis.Finding) map[findingKey]*analysis.Finding {
	srcs := map[string]bool{}
	for _, f := range fs {
		if f.Source != "" {
			srcs[f.Source] = true
		}
	}
	out := map[findingKey]*analysis.Finding{}
	for i := range fs {
		src := fs[i].Source
		if len(srcs) == 1 {
			src = ""
		}
		out[findingKey{fs[i].Detector, src}] = &fs[i]
	}
	return out
}

func compareFindings(base, new *Run) []FindingChange {
	bi, ni := indexFindings(base.Findings), indexFindings(new.Findings)
	keys := map[findingKey]bool{}
	for k := range bi {
		keys[k] = true
	}
	for k := range ni {
		keys[k] = true
	}
	var out []FindingChange
	for k := range keys {
		b, n := bi[k], ni[k]
		bd, nd := b != nil && b.Failed(), n != nil && n.Failed()
		if !bd && !nd {
			continue
		}
		fc := FindingChange{Detector: k.d, Source: k.src, Base: line(b), New: line(n)}
		switch {
		case bd && nd:
			fc.Status, fc.Evidence = FindingUnchanged, n.Evidence
		case nd:
			fc.Status, fc.Evidence = FindingNew, n.Evidence
		default:
			fc.Status, fc.Evidence = FindingResolved, b.Evidence
		}
		out = append(out, fc)
	}
	order := map[FindingStatus]int{FindingNew: 0, FindingUnchanged: 1, FindingResolved: 2}
	slices.SortFunc(out, func(a, b FindingChange) int {
		return cmp.Or(cmp.Compare(order[a.Status], order[b.Status]), cmp.Compare(a.Detector, b.Detector), cmp.Compare(a.Source, b.Source))
	})
	return out
}

func line(f *analysis.Finding) string {
	if f == nil {
		return ""
	}
	return f.String()
}

package scenario

import (
	"slices"

	"github.com/goccy/go-yaml/ast"
	"github.com/soaklab/soak/engine/scenario/internal/suggest"
)

// entry is one key: value of a mapping, merge keys expanded.
type entry struct {
	key  string
	kpos Pos
	val  ast.Node
}

// entries returns the entries of a mapping in file order; keys from
// "<<: *anchor" merges come after, unless set explicitly. Null is an
// empty mapping.
func (d *decoder) entries(n ast.Node, field string) ([]entry, bool) {
	return d.entriesDepth(n, field, 0)
}

func (d *decoder) entriesDepth(n ast.Node, field string, depth int) ([]entry, bool) {
	r := d.resolve(n, field)
	var values []*ast.MappingValueNode
	switch v := r.(type) {
	case *ast.MappingNode:
		values = v.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{v}
	case *ast.NullNode:
		return nil, true
	case nil:
		if n == nil {
			return nil, true
		}
		return nil, false
	default:
		d.at(posOf(n), field, "expected a mapping (key: value), found %s", kind(r))
		return nil, false
	}
	var out, merged []entry
	for _, mv := range values {
		if mv == nil || mv.Key == nil {
			continue
		}
		if mv.Key.IsMergeKey() {
			if depth > 16 {
				d.at(posOf(mv.Key), field, "merge keys nested too deep")
				continue
			}
			merged = append(merged, d.merge(mv.Value, field, depth)...)
			continue
		}
		key, ok := d.str(mv.Key, field)
		if !ok {
			continue
		}
		out = append(out, entry{key: key, kpos: posOf(mv.Key), val: mv.Value})
	}
	if len(merged) > 0 {
		set := make(map[string]bool, len(out))
		for _, e := range out {
			set[e.key] = true
		}
		for _, m := range merged {
			if !set[m.key] {
				out = append(out, m)
			}
		}
	}
	return out, true
}

// merge returns the entries a merge key brings: one mapping or a list of
// them, earlier ones winning.
func (d *decoder) merge(n ast.Node, field string, depth int) []entry {
	if seq, ok := d.resolve(n, field).(*ast.SequenceNode); ok {
		var out []entry
		seen := map[string]bool{}
		for _, item := range seq.Values {
			for _, e := range d.merge(item, field, depth+1) {
				if !seen[e.key] {
					seen[e.key] = true
					out = append(out, e)
				}
			}
		}
		return out
	}
	es, _ := d.entriesDepth(n, field, depth+1)
	return es
}

// fieldSet decodes the fields of a mapping: each known key's function is
// called with the value and its field path, in file order. Unknown keys
// are reported with a "did you mean" hint. It records the positions of
// the mapping and of each value, and reports whether n was a mapping.
func (d *decoder) fieldSet(n ast.Node, field string, fs map[string]func(v ast.Node, field string)) bool {
	es, ok := d.entries(n, field)
	if !ok {
		return false
	}
	if n != nil {
		d.pos[field] = posOf(d.resolve(n, field))
		if len(es) > 0 {
			d.pos[field] = es[0].kpos
		}
	}
	for _, e := range es {
		sub := join(field, e.key)
		fn, known := fs[e.key]
		if !known {
			d.at(e.kpos, sub, "unknown field %q; %s", e.key, suggest.Hint(e.key, keys(fs)))
			continue
		}
		d.pos[sub] = posOf(e.val)
		if e.val == nil {
			d.pos[sub] = e.kpos
		}
		fn(e.val, sub)
	}
	return true
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
